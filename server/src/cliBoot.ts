#!/usr/bin/env node
/**
 * The CLI's entry point (dist/cli.js): runs the CLI (dist/cliMain.js) with V8's compiled code of
 * it kept between runs, as Python keeps __pycache__. A fresh process otherwise compiles every
 * function it calls again on every run: of a 1,000-file `graph --json`, that is about a sixth of
 * the work after Node's own start. The cache is the CLI's own code only (nothing read from the
 * user's files), in $XDG_CACHE_HOME/alembic-migrations/code (~/.cache/...; a folder only the user
 * can open), one file per Node version and build of the CLI (named by the code's digest), written
 * after a run that read migration files. V8 checks a cache's source length and flags, not its
 * bytes (a damaged one can crash the process): each file starts with a SHA-256 of the rest,
 * checked before V8 sees it. Anything wrong with it only costs the compile.
 * ALEMBIC_MIGRATIONS_NO_CODE_CACHE=1 turns it off.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';
import { cacheHome, writeWhole } from './cacheHome';

const MAIN = path.join(__dirname, 'cliMain.js');
const DIGEST = 32;

interface CliMain {
  runProcess(after?: (code: number, indexed: number) => void): void;
}

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();

/**
 * Where this build's code cache lives for this Node; undefined when turned off or there is no home
 * to keep it in. Named by the code's digest: V8 checks only a cache's source length and flags, so
 * a same-length build with the same modification time (a reproducible build, `cp -p`) would run
 * the older build's code.
 */
function cacheFile(source: string): string | undefined {
  if (process.env.ALEMBIC_MIGRATIONS_NO_CODE_CACHE) return undefined;
  const home = cacheHome();
  return home && path.join(home, 'code', `cli-${process.version}-${process.arch}-${sha256(source).toString('hex').slice(0, 32)}.bin`);
}

/** The cache's data when the file is whole (its digest matches), else undefined. */
function read(file: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined; // first run of this build
  }
  const data = bytes.subarray(DIGEST);
  return bytes.length > DIGEST && sha256(data).equals(bytes.subarray(0, DIGEST)) ? data : undefined;
}

/** Replaces the other builds' caches (and temporary files left by killed runs) with this one, written whole then renamed. */
function save(file: string, data: Buffer): void {
  try {
    writeWhole(file, Buffer.concat([sha256(data), data]));
    const dir = path.dirname(file);
    for (const old of fs.readdirSync(dir)) if (old.startsWith('cli-') && path.join(dir, old) !== file) fs.rmSync(path.join(dir, old), { force: true });
  } catch {
    /* a read-only or full disk: the next run compiles again */
  }
}

function load(): { cli: CliMain; keep?: (code: number, indexed: number) => void } {
  const source = fs.readFileSync(MAIN, 'utf8');
  const file = cacheFile(source);
  const cachedData = file ? read(file) : undefined;
  // (built without import(), which a vm.Script could only resolve with an experimental option)
  // (columnOffset: positions on the first line are the file's own, not shifted by the wrapper)
  const wrapped = Module.wrap(source);
  const script = new vm.Script(wrapped, { filename: MAIN, cachedData, columnOffset: -wrapped.indexOf(source) });
  const mod = { exports: {} as CliMain };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, Module.createRequire(MAIN), mod, MAIN, __dirname);
  if (!file || (cachedData && !script.cachedDataRejected)) return { cli: mod.exports };
  // after a whole run the cache holds every function it compiled, not just the top level; so
  // only after a run that read migration files (not --help, a usage error, a --cache hit or an
  // empty folder, which compile little of what such a run needs)
  return { cli: mod.exports, keep: (code, indexed) => { if (code < 2 && indexed > 0) save(file, script.createCachedData()); } };
}

try {
  const { cli, keep } = load();
  cli.runProcess(keep);
} catch (e) {
  process.stderr.write(`alembic-migrations: internal error: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 3;
}
