import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTmp, project, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
/** The CLI's own caches (its code cache; --cache without --cache-location) go to a folder of the tests. */
const CACHE_HOME = tmpDir();
const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: CACHE_HOME, ...env } });

describe('alembic-migrations CLI', () => {
  it('check: compiler-style lines, exit 1 on errors', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'lost0002', down: 'gone0000' }]));
    const r = run(['check'], d);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stdout, /^migrations\/versions\/0001_lost0002\.py:\d+:\d+: error alembic\/missing-parent /m);
  });

  it('check: exit 0 and silence on a healthy history', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'next0002', down: 'root0001' }]));
    const r = run(['check', d], tmpDir());
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    assert.strictEqual(r.stdout, '');
    assert.match(r.stderr, /1 setup\(s\), 2 revision\(s\): 0 error\(s\), 0 warning\(s\)/);
  });

  it('keeps V8\'s code of itself between runs (and recovers from a damaged or unwritable cache)', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'lost0002', down: 'gone0000' }]));
    const home = tmpDir();
    const codeDir = path.join(home, 'alembic-migrations', 'code');
    const plain = run(['graph', '--json'], d, { ALEMBIC_MIGRATIONS_NO_CODE_CACHE: '1', XDG_CACHE_HOME: home });
    assert.strictEqual(plain.status, 0, plain.stderr);
    assert.ok(!fs.existsSync(codeDir), 'turned off: nothing written');
    assert.strictEqual(run(['--help'], d, { XDG_CACHE_HOME: home }).status, 0);
    assert.strictEqual(run(['graph', '--bad'], d, { XDG_CACHE_HOME: home }).status, 2);
    assert.strictEqual(run(['graph', '--json'], tmpDir(), { XDG_CACHE_HOME: home }).status, 0);
    const hitFile = path.join(tmpDir(), 'hit.json');
    assert.strictEqual(run(['graph', '--json', '--cache-location', hitFile], d, { ALEMBIC_MIGRATIONS_NO_CODE_CACHE: '1' }).status, 0);
    assert.strictEqual(run(['graph', '--json', '--cache-location', hitFile], d, { XDG_CACHE_HOME: home }).status, 0);
    assert.ok(!fs.existsSync(codeDir), 'not after --help, a usage error, an empty folder or a --cache hit (they compile little of a real run)');
    const first = run(['graph', '--json'], d, { XDG_CACHE_HOME: home });
    const [file, ...more] = fs.readdirSync(codeDir);
    assert.deepStrictEqual(more, [], 'one cache file');
    assert.match(file, new RegExp(`^cli-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{32}\\.bin$`), 'named by the code\'s digest');
    const at = path.join(codeDir, file);
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(codeDir).mode & 0o777, 0o700, 'a folder only the user can open');
    const written = fs.statSync(at);
    const second = run(['graph', '--json'], d, { XDG_CACHE_HOME: home });
    assert.strictEqual(fs.statSync(at).mtimeMs, written.mtimeMs, 'a cache that fits is not written again');
    // damaged inside (V8 checks the header, not the code: such a file crashed Node before the digest)
    const good = fs.readFileSync(at);
    const bad = Buffer.from(good);
    for (const at0 of [2000, Math.floor(good.length / 3)]) for (let k = 0; k < 64; k++) bad[at0 + k] ^= 0x5a; // (2000: a V8 fatal error without the digest)
    fs.writeFileSync(at, bad);
    fs.writeFileSync(path.join(codeDir, 'cli-v0.0.0-x64-1-1.bin'), 'an older build');
    fs.writeFileSync(path.join(codeDir, `${file}.99999.tmp`), 'left by a killed run');
    const damaged = run(['graph', '--json'], d, { XDG_CACHE_HOME: home });
    assert.deepStrictEqual(fs.readdirSync(codeDir), [file], 'rewritten; the older build\'s cache and the leftover removed');
    assert.ok(!fs.readFileSync(at).equals(bad) && fs.statSync(at).size > 1000);
    fs.writeFileSync(at, 'not a code cache');
    const garbage = run(['graph', '--json'], d, { XDG_CACHE_HOME: home });
    const blocked = tmpDir();
    fs.writeFileSync(path.join(blocked, 'alembic-migrations'), 'a file where the cache folder would be');
    const unwritable = run(['graph', '--json'], d, { XDG_CACHE_HOME: blocked });
    // a relative XDG_CACHE_HOME is ignored (XDG spec): both caches go to ~/.cache, none into the project
    const otherHome = tmpDir();
    const relative = run(['graph', '--json'], d, { XDG_CACHE_HOME: 'rel-cache', HOME: otherHome });
    assert.strictEqual(run(['graph', '--cache'], d, { XDG_CACHE_HOME: 'rel-cache', HOME: otherHome }).status, 0);
    assert.ok(!fs.existsSync(path.join(d, 'rel-cache')));
    assert.strictEqual(fs.readdirSync(path.join(otherHome, '.cache', 'alembic-migrations', 'code')).length, 1);
    assert.strictEqual(fs.readdirSync(path.join(otherHome, '.cache', 'alembic-migrations')).filter((f) => f.endsWith('.json')).length, 1);
    for (const r of [first, second, damaged, garbage, unwritable, relative]) {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(r.stderr, '');
      assert.strictEqual(r.stdout, plain.stdout);
    }
    const check = run(['check'], d, { XDG_CACHE_HOME: home });
    assert.strictEqual(check.status, 1, 'the exit status passes through');
 
    // another build of the same length and modification time (a reproducible build, cp -p) runs its own code
    const dist = tmpDir();
    for (const f of ['cli.js', 'cliMain.js']) fs.copyFileSync(path.join(path.dirname(CLI), f), path.join(dist, f));
    const empty = writeTree(tmpDir(), project([{ id: 'root0001' }]));
    const cmd = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [path.join(dist, 'cli.js'), 'graph'], { cwd: empty, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home, ...env } });
    assert.match(cmd().stdout, /root0001/);
    const main = path.join(dist, 'cliMain.js');
    const { mtime } = fs.statSync(main);
    const source = fs.readFileSync(main, 'utf8');
    fs.writeFileSync(main, source.replace('No Alembic setup found under', 'NO ALEMBIC SETUP FOUND UNDER'));
    fs.utimesSync(main, mtime, mtime);
    assert.match(cmd().stdout + cmd({ ALEMBIC_MIGRATIONS_NO_CODE_CACHE: '1' }).stdout, /root0001/);
    const none = spawnSync(process.execPath, [path.join(dist, 'cli.js'), 'graph'], { cwd: tmpDir(), encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home } });
    assert.match(none.stdout, /NO ALEMBIC SETUP FOUND UNDER/, 'the new build\'s code, not the cached one');
  });

  it('an internal error is exit 3 with a stack whose first-line columns are the file\'s own (not shifted by the module wrapper)', () => {
    const dist = tmpDir();
    fs.copyFileSync(path.join(path.dirname(CLI), 'cli.js'), path.join(dist, 'cli.js'));
    const line = 'exports.runProcess = () => { throw new Error("boom"); };';
    fs.writeFileSync(path.join(dist, 'cliMain.js'), `${line}\n`);
    const r = spawnSync(process.execPath, [path.join(dist, 'cli.js'), 'graph'], { cwd: tmpDir(), encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: tmpDir() } });
    assert.strictEqual(r.status, 3);
    assert.match(r.stderr, /internal error: Error: boom/);
    assert.ok(r.stderr.includes(`cliMain.js:1:${line.indexOf('new Error') + 1})`), r.stderr);
  });

  it('check --format json', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'a0000002', down: 'root0001' }, { id: 'b0000003', down: 'root0001' }]));
    const r = run(['check', '--format', 'json'], d);
    assert.strictEqual(r.status, 0);
    const j = JSON.parse(r.stdout);
    assert.deepStrictEqual(j.diagnostics.map((x: { code: string }) => x.code), ['alembic/multiple-heads', 'alembic/multiple-heads']);
  });

  it('graph --json: the stable public shape, one object per setup', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001', message: 'init' }, { id: 'next0002', down: 'root0001', labels: 'x', deps: 'root0001' }]));
    const r = run(['graph', '--json'], d);
    assert.strictEqual(r.status, 0, r.stderr);
    const [s] = JSON.parse(r.stdout);
    assert.deepStrictEqual(Object.keys(s).sort(), ['bases', 'diagnostics', 'heads', 'revisions', 'setup']);
    assert.deepStrictEqual(s.revisions[1], {
      id: 'next0002', downRevisions: ['root0001'], dependsOn: ['root0001'], branchLabels: ['x'], path: 'migrations/versions/0001_next0002.py', message: 'revision next0002',
    });
    assert.deepStrictEqual([s.heads, s.bases], [['next0002'], ['root0001']]);
  });

  it('graph text, --config and --name', () => {
    const d = writeTree(tmpDir(), {
      'multi.ini': '[alembic]\nscript_location = one\n[two]\nscript_location = two\n',
      'one/env.py': '', 'one/versions/a.py': 'revision = "one00001"\ndown_revision = None\n',
      'two/env.py': '', 'two/versions/b.py': 'revision = "two00001"\ndown_revision = None\n',
    });
    const r = run(['graph', '--config', 'multi.ini', '--name', 'two'], d);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /<base> -> two00001 \(head\) \(base\)/);
    assert.doesNotMatch(r.stdout, /one00001/);
  });

  it('a reader that stops early (| head) ends it quietly, with the exit status of the command', () => {
    const id = (i: number): string => `r${String(i).padStart(7, '0')}`;
    const healthy = writeTree(tmpDir(), project(Array.from({ length: 3000 }, (_, i) => ({ id: id(i), down: i ? id(i - 1) : undefined }))));
    const broken = writeTree(tmpDir(), project(Array.from({ length: 1500 }, (_, i) => ({ id: id(i), down: `gone${i}` }))));
    for (const [args, dir, status] of [['graph --json', healthy, 0], ['graph', healthy, 0], ['check', broken, 1]] as const) {
      // larger than a pipe holds (64 KiB), so the pipe is closed while the output is written
      assert.ok(run(args.split(' '), dir).stdout.length > 100 * 1024, args);
      const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" ${args} | head -c 100 >/dev/null`], { cwd: dir, encoding: 'utf8' });
      assert.strictEqual(r.stderr.replace(/^1 setup.*\n/m, ''), '', args);
      assert.strictEqual(r.status, status, args);
    }
  });

  it('bad usage: exit 2 with a message', () => {
    const d = tmpDir();
    for (const args of [['frobnicate'], ['check', '--format', 'xml'], ['check', 'no/such/dir'], ['graph', '--config', 'missing.ini']]) {
      const r = run(args, d);
      assert.strictEqual(r.status, 2, args.join(' '));
      assert.match(r.stderr, /alembic-migrations: /);
    }
  });
});

/** Replaces the output kept in a cache file (header line + output bytes + error bytes). */
function markCache(cache: string, out: string): void {
  const fs = require('fs');
  const b: Buffer = fs.readFileSync(cache);
  const nl = b.indexOf(10);
  const h = JSON.parse(b.toString('utf8', 0, nl));
  const err = b.subarray(nl + 1 + h.out);
  fs.writeFileSync(cache, Buffer.concat([Buffer.from(JSON.stringify({ ...h, out: Buffer.byteLength(out) }) + '\n'), Buffer.from(out), err]));
}

describe('alembic-migrations --cache', () => {
  it('reuses the last result while no file changes, and recomputes after any change', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'next0002', down: 'root0001' }]));
    const cache = path.join(tmpDir(), 'c.json');
    const first = run(['graph', '--json', '--cache-location', cache], d);
    assert.strictEqual(first.status, 0, first.stderr);
    // mark the cached output: a second run that prints the mark was served from the cache
    const fs = require('fs');
    markCache(cache, 'FROM-CACHE\n');
    assert.strictEqual(run(['graph', '--json', '--cache-location', cache], d).stdout, 'FROM-CACHE\n');
    // any change to a migration file (here: a new parent) invalidates it
    const f = path.join(d, 'migrations/versions/0001_next0002.py');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('= "root0001"', '= "gone0000"'));
    const third = run(['graph', '--json', '--cache-location', cache], d);
    assert.notStrictEqual(third.stdout, 'FROM-CACHE\n');
    assert.deepStrictEqual(JSON.parse(third.stdout)[0].revisions[1].downRevisions, ['gone0000']);
    // and so does a change to the config
    markCache(cache, 'FROM-CACHE\n');
    fs.appendFileSync(path.join(d, 'alembic.ini'), '# touched\n');
    assert.notStrictEqual(run(['graph', '--json', '--cache-location', cache], d).stdout, 'FROM-CACHE\n');
  });

  it('a result written by another build of the CLI is not replayed', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001' }]));
    const cache = path.join(tmpDir(), 'c.json');
    assert.strictEqual(run(['graph', '--json', '--cache-location', cache], d).status, 0);
    markCache(cache, 'FROM-CACHE\n');
    assert.strictEqual(run(['graph', '--json', '--cache-location', cache], d).stdout, 'FROM-CACHE\n', 'the same build replays');
    const other = path.join(tmpDir(), 'cliMain.js');
    fs.writeFileSync(other, `${fs.readFileSync(path.join(path.dirname(CLI), 'cliMain.js'), 'utf8')}\n// another build\n`);
    const r = spawnSync(process.execPath, [other, 'graph', '--json', '--cache-location', cache], { cwd: d, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout)[0].heads, ['root0001']);
  });

  it('a hit prints exactly what the cold run printed (non-ASCII text, stderr, exit status)', () => {
    const d = writeTree(tmpDir(), project([{ id: 'root0001', message: 'añadir 😀' }, { id: 'lost0002', down: 'gone0000' }]));
    const cache = path.join(tmpDir(), 'c.json');
    const cold = run(['check', '--cache-location', cache], d);
    const warm = run(['check', '--cache-location', cache], d);
    assert.strictEqual(cold.status, 1);
    assert.deepStrictEqual([warm.status, warm.stdout, warm.stderr], [cold.status, cold.stdout, cold.stderr]);
    const g1 = run(['graph', '--json', '--cache-location', cache + '2'], d);
    const g2 = run(['graph', '--json', '--cache-location', cache + '2'], d);
    assert.strictEqual(g2.stdout, g1.stdout);
    assert.match(g2.stdout, /añadir 😀/);
  });
});
