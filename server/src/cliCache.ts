/**
 * The CLI's persistent cache (`--cache`): the last output, reused while no input changed.
 * Inputs: the setups discovery finds (their config files' contents are part of the setups), the
 * config/env.py files' stats, and every migration file's path, mtime, size and inode.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverSetups, listScriptFiles, nodeFs } from './core';

const FORMAT = 1;

export function cachePath(a: { cacheLocation?: string; command: string }, dir: string): string {
  if (a.cacheLocation) return path.resolve(a.cacheLocation);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const id = createHash('sha1').update(`${dir}\0${a.command}`).digest('hex').slice(0, 16);
  return path.join(base, 'alembic-migrations', `${id}.json`);
}

function stat(p: string | undefined): string {
  if (!p) return '-';
  const st = fs.statSync(p, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.mtimeNs}:${st.size}:${st.ino}` : 'missing';
}

/** A digest of everything the result depends on (cheap: discovery, listings and stats only). */
export async function fingerprint(dir: string, opts: object): Promise<string> {
  const h = createHash('sha1');
  h.update(`${FORMAT}\0${process.env.npm_package_version ?? ''}\0${JSON.stringify(opts)}\0`);
  const setups = await discoverSetups(nodeFs, dir, opts as { configs?: string[] });
  for (const s of setups) {
    h.update(JSON.stringify(s));
    h.update(stat(s.configPath) + stat(s.pyprojectPath) + stat(s.scriptLocation && path.join(s.scriptLocation, 'env.py')));
    const listed = await listScriptFiles(nodeFs, s);
    for (const f of listed.files) h.update(`${f}\0${stat(f)}\n`);
  }
  return h.digest('hex');
}

export interface Cached {
  out: string;
  err: string;
  code: number;
}

export function readCache(file: string, key: string): Cached | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Cached & { key: string; format: number };
    return c.format === FORMAT && c.key === key ? c : undefined;
  } catch {
    return undefined; // missing or unreadable: a cold run
  }
}

export function writeCache(file: string, key: string, r: Cached): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, key, ...r }));
    fs.renameSync(tmp, file); // atomic: a concurrent reader sees the old or the new cache
  } catch (e) {
    process.stderr.write(`alembic-migrations: could not write the cache ${file}: ${(e as Error).message}\n`);
  }
}
