/**
 * The CLI's persistent cache (`--cache`): the last output, reused while no input changed.
 * Inputs: the setups discovery finds (their config files' contents are part of the setups), the
 * config/env.py files' stats, and every migration file's path, mtime, ctime, size and inode.
 *
 * The file is one JSON header line ({format, key, code, out, err}: the byte lengths of the
 * outputs) followed by the outputs' bytes, so a hit copies bytes to stdout without parsing them.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cacheHome, writeWhole } from './cacheHome';
import { discoverSetups, listScriptFiles, nodeFs } from './core';

const FORMAT = 2;

/** The cache file of this folder and command; undefined when there is no home folder to keep it in. */
export function cachePath(a: { cacheLocation?: string; command: string }, dir: string): string | undefined {
  if (a.cacheLocation) return path.resolve(a.cacheLocation);
  const home = cacheHome();
  const id = createHash('sha1').update(`${dir}\0${a.command}`).digest('hex').slice(0, 16);
  return home && path.join(home, `${id}.json`);
}

/** This build of the CLI (its own bundle's bytes): a cache written by another build is not replayed. */
function build(): string {
  try {
    return createHash('sha1').update(fs.readFileSync(__filename)).digest('hex');
  } catch {
    return '';
  }
}

function stat(p: string | undefined): string {
  if (!p) return '-';
  // (milliseconds as doubles: sub-microsecond resolution, and no BigInt per file)
  const st = fs.statSync(p, { throwIfNoEntry: false });
  return st ? `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}` : 'missing';
}

/** A digest of everything the result depends on (cheap: discovery, listings and stats only). */
export async function fingerprint(dir: string, opts: object): Promise<string> {
  const h = createHash('sha1');
  h.update(`${FORMAT}\0${build()}\0${JSON.stringify(opts)}\0`);
  const setups = await discoverSetups(nodeFs, dir, opts as { configs?: string[] });
  for (const s of setups) {
    h.update(JSON.stringify(s));
    h.update(stat(s.configPath) + stat(s.pyprojectPath) + stat(s.scriptLocation && path.join(s.scriptLocation, 'env.py')));
    const { files } = await listScriptFiles(nodeFs, s);
    // the paths (NUL-separated), then every file's stats as raw doubles: two digest updates in
    // all, not two per file, and no number-to-text per file
    h.update(files.join('\0'));
    const nums = new Float64Array(4 * files.length);
    for (let k = 0; k < files.length; k++) {
      const st = fs.statSync(files[k], { throwIfNoEntry: false });
      if (st) {
        nums[4 * k] = st.mtimeMs;
        nums[4 * k + 1] = st.ctimeMs;
        nums[4 * k + 2] = st.size;
        nums[4 * k + 3] = st.ino;
      } else nums.fill(-1, 4 * k, 4 * k + 4);
    }
    h.update(new Uint8Array(nums.buffer));
  }
  return h.digest('hex');
}

export interface Cached {
  out: string | Uint8Array;
  err: string | Uint8Array;
  code: number;
}

interface Header {
  format: number;
  key: string;
  code: number;
  out: number;
  err: number;
}

export function readCache(file: string, key: string): Cached | undefined {
  try {
    const b = fs.readFileSync(file);
    const nl = b.indexOf(10);
    const h = JSON.parse(b.toString('utf8', 0, nl)) as Header;
    if (h.format !== FORMAT || h.key !== key || nl + 1 + h.out + h.err !== b.length) return undefined;
    return { code: h.code, out: b.subarray(nl + 1, nl + 1 + h.out), err: b.subarray(nl + 1 + h.out) };
  } catch {
    return undefined; // missing or unreadable: a cold run
  }
}

export function writeCache(file: string, key: string, r: Cached): void {
  try {
    const out = Buffer.from(r.out);
    const err = Buffer.from(r.err);
    const header: Header = { format: FORMAT, key, code: r.code, out: out.length, err: err.length };
    writeWhole(file, Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), out, err]));
  } catch (e) {
    process.stderr.write(`alembic-migrations: could not write the cache ${file}: ${(e as Error).message}\n`);
  }
}
