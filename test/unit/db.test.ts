/**
 * Database status without Python: URL parsing, the status computation, and reading the version
 * table from real SQLite files and a real PostgreSQL, each migrated by the real Alembic.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { readAppliedVersions } from '../../client/src/db/versionTable';
import { indexWorkspace, nodeFs } from '../../server/src/core';
import { computeStatus } from '../../server/src/core/db/status';
import { parseDbUrl, passwordKey, sqliteFile, withoutPassword, withPassword } from '../../server/src/core/db/url';
import { cleanupTmp, tmpDir } from '../helpers';
import { findPython } from '../python';

after(cleanupTmp);

const SAMPLE = path.resolve(__dirname, '../../../sample');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const WASM = { wasmDir: path.dirname(require.resolve('sql.js/dist/sql-wasm.wasm')) };

function sampleCopy(): string {
  const d = tmpDir('alembic-db-');
  fs.cpSync(SAMPLE, d, { recursive: true, filter: (s) => !s.endsWith('app.db') });
  return d;
}

function alembic(cwd: string, args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(findPython(), ['-m', 'alembic', ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`alembic ${args.join(' ')} failed:\n${r.stderr}`);
}

describe('database URLs', () => {
  it('parses SQLAlchemy URLs, decoding escapes in user and password', () => {
    const u = parseDbUrl('postgresql+psycopg2://app%40svc:p%40ss%3Aw@db.example:6543/prod?sslmode=require');
    assert.deepStrictEqual('url' in u && u.url, { dialect: 'postgresql', driver: 'psycopg2', username: 'app@svc', password: 'p@ss:w', host: 'db.example', port: 6543, database: 'prod', query: { sslmode: 'require' } });
    const rel = parseDbUrl('sqlite:///app.db');
    assert.strictEqual('url' in rel && sqliteFile(rel.url, '/proj'), '/proj/app.db');
    const abs = parseDbUrl('sqlite:////var/data/app.db');
    assert.strictEqual('url' in abs && sqliteFile(abs.url, '/proj'), '/var/data/app.db');
    const mem = parseDbUrl('sqlite://');
    assert.strictEqual('url' in mem && sqliteFile(mem.url, '/proj'), undefined);
    assert.ok('error' in parseDbUrl('not a url'));
    assert.ok('error' in parseDbUrl(''));
  });

  it('keys passwords by the host the driver connects to, and removes raw passwords with "@" or "/" whole', () => {
    const key = (u: string): string => passwordKey((parseDbUrl(u) as { url: never }).url);
    assert.notStrictEqual(key('postgresql://app@/app?host=evil.example'), key('postgresql://app@localhost/app'), 'a ?host= is another server');
    assert.notStrictEqual(key('mysql://app@localhost/app?unix_socket=/run/other.sock'), key('mysql://app@localhost/app'));
    assert.strictEqual(key('postgresql://app@db/app'), key('postgresql://app@db:5432/app'), 'the default port is the same server');
    assert.strictEqual(withoutPassword('postgresql://app:p@ss/w@db:5432/app?x=1'), 'postgresql://app@db:5432/app?x=1');
    assert.strictEqual(withoutPassword(' mysql://root:s3cret@127.0.0.1/test '), 'mysql://root@127.0.0.1/test');
    assert.strictEqual(withoutPassword('sqlite:///app.db'), 'sqlite:///app.db');
  });

  it('sets and removes passwords as SQLAlchemy reads them (checked with make_url), and keys them without the password', () => {
    const passwords = ['plain', 'p@ss:w/rd', '100%sure', 'sp ace#?&=', 'ünï'];
    const urls = ['postgresql://app@db:5432/prod', 'postgresql+psycopg2://app:old@db/prod?sslmode=require', 'mysql+pymysql://root@127.0.0.1:3306/test'];
    const cases = urls.flatMap((u) => passwords.map((p) => [withPassword(u, p), p] as const));
    const py = spawnSync(findPython(), ['-c', 'import sys, json\nfrom sqlalchemy.engine import make_url\nprint(json.dumps([[make_url(u).password, make_url(u).username, make_url(u).database] for u in json.load(sys.stdin)]))'],
      { input: JSON.stringify(cases.map(([u]) => u)), encoding: 'utf8' });
    assert.strictEqual(py.status, 0, py.stderr);
    const seen = JSON.parse(py.stdout) as [string, string, string][];
    cases.forEach(([u, p], i) => {
      assert.strictEqual(seen[i][0], p, `SQLAlchemy reads the password of ${u}`);
      const ours = parseDbUrl(u);
      assert.ok('url' in ours);
      assert.deepStrictEqual([ours.url.password, ours.url.username, ours.url.database], seen[i]);
      assert.strictEqual(passwordKey(ours.url), passwordKey((parseDbUrl(withoutPassword(u)) as { url: never }).url), 'the key ignores the password');
      assert.doesNotMatch(withoutPassword(u), new RegExp(encodeURIComponent(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
  });
  it('reads tricky URLs exactly as SQLAlchemy\'s make_url does (raw "@" or ":" in user or password, IPv6, escapes, queries, database as written)', () => {
    const urls = [
      'postgresql://u@corp:pw@db.example:6543/app', 'postgresql://svc@corp@db.example/app', 'mysql://:pw@h/db',
      'postgresql://u:a:b@db/app', 'postgresql://u:p%40ss%zz%41@db/app', 'mysql+pymysql://root:@127.0.0.1:3306/test',
      'postgresql://u:pw@[::1]:5433/app', 'postgresql://u@/app?host=/var/run/postgresql', 'postgresql://db.example',
      'postgresql://u@db/my%40db', 'postgresql://u@db/app?a=b=c&flag&empty=&sp=x+y%21&host=h1&host=h2',
      'sqlite:///rel%20dir/app.db', 'sqlite:////abs/app.db?mode=ro', 'postgresql+psycopg2://u:p%2Fw@db/app?sslmode=require',
      'mysql://user:pw@h?charset=utf8mb4', 'postgresql://u:pw@h:5432', 'postgresql://üser:pässword@höst/däta',
    ];
    const script = [
      'import sys, json', 'from sqlalchemy.engine import make_url', 'out = []',
      'for u in json.load(sys.stdin):',
      '    x = make_url(u)',
      '    q = {k: (v[-1] if isinstance(v, (list, tuple)) else v) for k, v in x.query.items()}',
      '    out.append([x.get_backend_name(), x.get_driver_name() if "+" in x.drivername else None, x.username, x.password, x.host, x.port, x.database, q])',
      'print(json.dumps(out))',
    ].join('\n');
    const py = spawnSync(findPython(), ['-c', script], { input: JSON.stringify(urls), encoding: 'utf8' });
    assert.strictEqual(py.status, 0, py.stderr);
    const theirs = JSON.parse(py.stdout) as unknown[][];
    urls.forEach((u, i) => {
      const ours = parseDbUrl(u);
      assert.ok('url' in ours, `${u}: ${'error' in ours && ours.error}`);
      const x = ours.url;
      assert.deepStrictEqual([x.dialect, x.driver ?? null, x.username ?? null, x.password ?? null, x.host ?? null, x.port ?? null, x.database ?? null, x.query], theirs[i], u);
    });
    // a raw "@" in a password: SQLAlchemy ends the password there and takes the rest for the host (or
    // fails on the port); we say what to write instead, without quoting any part of it
    const bad = parseDbUrl('postgresql://u:p@ss:xyzq@db/app');
    assert.ok('error' in bad && bad.error.startsWith('the port is not a number') && !bad.error.includes('xyzq'), JSON.stringify(bad));
    const py2 = spawnSync(findPython(), ['-c', 'from sqlalchemy.engine import make_url\nmake_url("postgresql://u:p@ss:xyzq@db/app").port'], { encoding: 'utf8' });
    assert.notStrictEqual(py2.status, 0, 'SQLAlchemy refuses it too');
    const hostAt = parseDbUrl('postgresql://u:p@ssw0rd@db.example/app');
    assert.ok('error' in hostAt && hostAt.error.includes('%40') && !hostAt.error.includes('ssw0rd'), JSON.stringify(hostAt));
    const py3 = spawnSync(findPython(), ['-c', 'from sqlalchemy.engine import make_url\nprint(make_url("postgresql://u:p@ssw0rd@db.example/app").host)'], { encoding: 'utf8' });
    assert.strictEqual(py3.stdout.trim(), 'ssw0rd@db.example', 'SQLAlchemy takes part of the password for the host');
  });

  it('sets a password on a URL whose user holds "@" so that SQLAlchemy reads the same user, host and password', () => {
    const urls = ['postgresql://svc@corp@db.example/app', 'postgresql://svc@corp:old@db.example:5433/app', 'postgresql://svc%40corp@db.example/app', 'mysql://root@h/db'];
    const cases = urls.map((u) => withPassword(u, 'n@w:pw/'));
    const py = spawnSync(findPython(), ['-c', 'import sys, json\nfrom sqlalchemy.engine import make_url\nprint(json.dumps([[make_url(u).username, make_url(u).password, make_url(u).host] for u in json.load(sys.stdin)]))'],
      { input: JSON.stringify(cases), encoding: 'utf8' });
    assert.strictEqual(py.status, 0, py.stderr);
    const seen = JSON.parse(py.stdout) as string[][];
    urls.forEach((u, i) => {
      const ours = parseDbUrl(u);
      assert.ok('url' in ours);
      assert.deepStrictEqual(seen[i], [ours.url.username, 'n@w:pw/', ours.url.host], `${u} → ${cases[i]}`);
    });
  });
});

describe('status against real databases migrated by real Alembic', function () {
  this.timeout(60000);

  it('SQLite: applied rows, ancestors, pending steps; missing file and missing table mean "not migrated"', async () => {
    const d = sampleCopy();
    const [ix] = await indexWorkspace(nodeFs, d);
    const url = parseDbUrl('sqlite:///app.db');
    assert.ok('url' in url);
    assert.strictEqual(await readAppliedVersions(url.url, d, { name: 'alembic_version' }, WASM), undefined, 'no file yet');
    alembic(d, ['upgrade', '708192a3b4c5']);
    const applied = await readAppliedVersions(url.url, d, { name: 'alembic_version' }, WASM);
    assert.deepStrictEqual(applied, ['708192a3b4c5']);
    const st = computeStatus(ix.graph, applied);
    assert.deepStrictEqual([...st.pending!].sort(), ['8192a3b4c5d6', '92a3b4c5d6e7']);
    assert.strictEqual(st.appliedSet.length, 7);
    // Alembic agrees on what is pending: upgrade heads runs exactly those
    alembic(d, ['upgrade', 'heads']);
    const after = await readAppliedVersions(url.url, d, { name: 'alembic_version' }, WASM);
    assert.deepStrictEqual([...after!].sort(), ['8192a3b4c5d6', '92a3b4c5d6e7'], 'two rows: both heads applied');
    assert.deepStrictEqual(computeStatus(ix.graph, after).pending, []);
    // a SQLite file with tables but no version table: never migrated
    const other = path.join(d, 'other.db');
    spawnSync(findPython({ needAlembic: false }), ['-c', `import sqlite3; c = sqlite3.connect(${JSON.stringify(other)}); c.execute("create table t (a)"); c.commit()`]);
    assert.strictEqual(await readAppliedVersions((parseDbUrl(`sqlite:///${other}`) as { url: never }).url, d, { name: 'alembic_version' }, WASM), undefined);
  });

  it('the database ahead of the files: "Can\'t locate revision" is explained', async () => {
    const d = sampleCopy();
    alembic(d, ['upgrade', '708192a3b4c5']);
    fs.rmSync(path.join(d, 'migrations/versions/708192a3b4c5_add_user_status.py'));
    fs.rmSync(path.join(d, 'migrations/versions/8192a3b4c5d6_create_audit_log.py'));
    fs.rmSync(path.join(d, 'migrations/versions/92a3b4c5d6e7_add_user_last_login.py'));
    const [ix] = await indexWorkspace(nodeFs, d);
    const url = parseDbUrl('sqlite:///app.db');
    const st = computeStatus(ix.graph, await readAppliedVersions((url as { url: never }).url, d, { name: 'alembic_version' }, WASM));
    assert.deepStrictEqual(st.unknown, ['708192a3b4c5']);
    assert.match(st.pendingError!, /Can't locate revision identified by '708192a3b4c5'/);
    const r = spawnSync(findPython(), ['-m', 'alembic', 'current'], { cwd: d, encoding: 'utf8' });
    assert.match(r.stderr, /Can't locate revision identified by '708192a3b4c5'/, 'Alembic says the same');
  });

  it('PostgreSQL: reads the version table of a throwaway database, in a custom schema too', async () => {
    const name = `alembic_status_${process.pid}_${Date.now()}`;
    const admin = new Client({ ...PG, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const d = sampleCopy();
      const dbUrl = `postgresql://postgres@127.0.0.1:5432/${name}`;
      const url = parseDbUrl(dbUrl);
      assert.ok('url' in url);
      assert.strictEqual(await readAppliedVersions(url.url, d, { name: 'alembic_version' }, WASM), undefined, 'never migrated');
      alembic(d, ['upgrade', '3c4d5e6f7081'], { DATABASE_URL: dbUrl });
      assert.deepStrictEqual(await readAppliedVersions(url.url, d, { name: 'alembic_version' }, WASM), ['3c4d5e6f7081']);
      const [ix] = await indexWorkspace(nodeFs, d);
      assert.strictEqual(computeStatus(ix.graph, ['3c4d5e6f7081']).pending!.length, 6);
      // a version table in another schema (context.configure(version_table_schema=...))
      const c = new Client({ ...PG, database: name });
      await c.connect();
      await c.query('CREATE SCHEMA ops');
      await c.query('CREATE TABLE ops.my_versions (version_num varchar(32) primary key)');
      await c.query("INSERT INTO ops.my_versions VALUES ('1a2b3c4d5e6f')");
      await c.end();
      assert.deepStrictEqual(await readAppliedVersions(url.url, d, { name: 'my_versions', schema: 'ops' }, WASM), ['1a2b3c4d5e6f']);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('PostgreSQL errors are clear and fast: missing database, server down (no password in the message)', async () => {
    const missing = parseDbUrl('postgresql://postgres:s3cret@127.0.0.1:5432/no_such_db_for_alembic_tests');
    await assert.rejects(readAppliedVersions((missing as { url: never }).url, '/', { name: 'alembic_version' }, WASM), (e: Error & { kind: string }) => {
      assert.strictEqual(e.kind, 'missing-database');
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    const t0 = Date.now();
    const down = parseDbUrl('postgresql://postgres@127.0.0.1:1/app');
    await assert.rejects(readAppliedVersions((down as { url: never }).url, '/', { name: 'alembic_version' }, WASM), (e: Error & { kind: string }) => e.kind === 'unreachable' && /cannot connect/.test(e.message));
    assert.ok(Date.now() - t0 < 5000);
  });

  it('MySQL/MariaDB: reads the version table with mysql2; missing table, missing database, refused password and server down are told apart', async function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
    const db = `alembic_unit_${process.pid}`;
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    try {
      await admin.query(`CREATE DATABASE ${db}`);
      const url = (u: string): never => (parseDbUrl(u) as { url: never }).url;
      assert.strictEqual(await readAppliedVersions(url(`mysql+pymysql://root@127.0.0.1:3306/${db}`), '/', { name: 'alembic_version' }, WASM), undefined, 'no table: not migrated');
      await admin.query(`CREATE TABLE ${db}.alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)`);
      await admin.query(`INSERT INTO ${db}.alembic_version VALUES ('aaa111'), ('bbb222')`);
      assert.deepStrictEqual((await readAppliedVersions(url(`mysql://root@127.0.0.1:3306/${db}`), '/', { name: 'alembic_version' }, WASM))!.sort(), ['aaa111', 'bbb222']);
      await assert.rejects(readAppliedVersions(url('mysql://root@127.0.0.1:3306/no_such_db_alembic'), '/', { name: 'alembic_version' }, WASM), (e: Error & { kind: string }) => e.kind === 'missing-database');
      await assert.rejects(readAppliedVersions(url(`mysql://nobody_alembic:Wr0ngPw@127.0.0.1:3306/${db}`), '/', { name: 'alembic_version' }, WASM), (e: Error & { kind: string }) => {
        assert.strictEqual(e.kind, 'auth');
        assert.doesNotMatch(e.message, /Wr0ngPw/);
        return true;
      });
      const t0 = Date.now();
      await assert.rejects(readAppliedVersions(url('mysql://root@127.0.0.1:1/x'), '/', { name: 'alembic_version' }, WASM), (e: Error & { kind: string }) => e.kind === 'unreachable');
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db}`);
      await admin.end();
    }
  });

  it('a server that accepts the connection and never answers: a timeout, told as such, within the limit (PostgreSQL and MySQL)', async () => {
    // fault injection: a real TCP listener that stays silent (a hung server cannot be produced on demand)
    const net = await import('net');
    const sockets: import('net').Socket[] = [];
    const server = net.createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as import('net').AddressInfo).port;
    try {
      for (const u of [`postgresql://postgres@127.0.0.1:${port}/app`, `mysql://root@127.0.0.1:${port}/app`]) {
        const t0 = Date.now();
        await assert.rejects(readAppliedVersions((parseDbUrl(u) as { url: never }).url, '/', { name: 'alembic_version' }, { ...WASM, timeoutMs: 1000 }), (e: Error & { kind: string }) => {
          assert.strictEqual(e.kind, 'timeout', `${u}: ${e.message}`);
          assert.match(e.message, /no answer within the time limit/);
          return true;
        });
        assert.ok(Date.now() - t0 < 4000, `${u} gave up after ${Date.now() - t0} ms`);
      }
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
