#!/usr/bin/env node
/**
 * The CLI's entry point (dist/cli.js): runs the CLI (dist/cliMain.js) with V8's compiled code of
 * it kept between runs, as Python keeps __pycache__. A fresh process otherwise compiles every
 * function it calls again on every run: of a 1,000-file `graph --json`, that is about a sixth of
 * the work after Node's own start. The cache is the CLI's own code only (nothing read from the
 * user's files), in $XDG_CACHE_HOME/alembic-migrations/code (~/.cache/...), one file per Node
 * version and build of the CLI; V8 checks it and compiles afresh when it does not fit. Any
 * failure to read or write it only costs the compile. ALEMBIC_MIGRATIONS_NO_CODE_CACHE=1 turns it off.
 */
import * as fs from 'fs';
import Module = require('module');
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

const MAIN = path.join(__dirname, 'cliMain.js');

interface CliMain {
  runProcess(after?: () => void): void;
}

/** Where this build's code cache lives for this Node; undefined when turned off. */
function cacheFile(size: number, mtimeMs: number): string | undefined {
  if (process.env.ALEMBIC_MIGRATIONS_NO_CODE_CACHE) return undefined;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'alembic-migrations', 'code', `cli-${process.version}-${process.arch}-${size}-${Math.floor(mtimeMs)}.bin`);
}

/** Replaces the other builds' caches with this one (written whole, then renamed: a reader never sees half a file). */
function save(file: string, data: Buffer): void {
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    for (const old of fs.readdirSync(dir)) if (old.startsWith('cli-') && path.join(dir, old) !== file && !old.endsWith('.tmp')) fs.rmSync(path.join(dir, old), { force: true });
  } catch {
    /* a read-only or full disk: the next run compiles again */
  }
}

function load(): { cli: CliMain; keep?: () => void } {
  const source = fs.readFileSync(MAIN, 'utf8');
  const st = fs.statSync(MAIN);
  const file = cacheFile(st.size, st.mtimeMs);
  let cachedData: Buffer | undefined;
  if (file) {
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      /* first run of this build */
    }
  }
  // (built without import(), which a vm.Script could only resolve with an experimental option)
  const script = new vm.Script(Module.wrap(source), { filename: MAIN, cachedData });
  const mod = { exports: {} as CliMain };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, Module.createRequire(MAIN), mod, MAIN, __dirname);
  // after the run the cache holds every function it compiled, not just the top level
  const keep = file && (!cachedData || script.cachedDataRejected) ? () => save(file, script.createCachedData()) : undefined;
  return { cli: mod.exports, keep };
}

const { cli, keep } = load();
cli.runProcess(keep);
