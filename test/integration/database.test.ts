/**
 * Connections, passwords and databases that fail, against real servers with real Alembic:
 * settings connections and Select Connection (an env.py that only reads the config), production
 * confirmation with the SQL preview, -x arguments, a PostgreSQL cluster with password auth
 * (missing, wrong, right password; the server going down and coming back), MySQL/MariaDB, and
 * autogenerate against a real SQLAlchemy model. Runs after extension.test.ts on the same workspace.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { startPgCluster, PgCluster } from './pgCluster';
import { logText as readLog, until } from './util';

const EXT = 'alembic-migrations.alembic-migrations';
const ws = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;


interface Setup { id: string; label: string; configPath?: string; heads: string[]; revisions: { id: string; path: string; isHead: boolean }[] }
interface St { kind: string; whereIs?: string; display?: string; message?: string; errorKind?: string; connection?: { name: string; production: boolean; password: string }; status?: { applied: string[]; unknown: string[]; noVersionTable: boolean } }
interface Api {
  model: { graph?: { setups: Setup[] } };
  status: { refresh(): Promise<void>; bySetup: Map<string, St> };
  connections: {
    candidates(s: Setup): { key: string; name: string; source: string }[];
    select(s: Setup, key: string | undefined): Promise<void>;
    forgetPassword(u: unknown): Promise<void>;
    resolve(s: Setup): Promise<{ connection?: { url: unknown } } | undefined>;
  };
  ctx: {
    confirm: (m: string, d: string, b: string, o?: string[]) => Promise<true | string | false>;
    ask: (o: vscode.InputBoxOptions) => Thenable<string | undefined>;
    extension: vscode.ExtensionContext;
  };
}

let api: Api;
const confirmations: string[] = [];
const answers: (string | undefined)[] = [];
const asked: string[] = [];

const sample = (): Setup => api.model.graph!.setups.find((s) => s.configPath === path.join(ws(), 'alembic.ini'))!;
const setConfig = (key: string, value: unknown): Thenable<void> => vscode.workspace.getConfiguration('alembic').update(key, value, vscode.ConfigurationTarget.Workspace);

async function statusOf(s: Setup, ok: (x: St) => boolean, label: string, ms = 15000): Promise<St> {
  return until(async () => {
    await api.status.refresh();
    const x = api.status.bySetup.get(s.id);
    return x && ok(x) ? x : undefined;
  }, label, ms);
}

const logText = (): string => readLog(api.ctx.extension);

/** Each suite answers the dialogs itself (a root-level hook would run before the other files' suites replace them). */
async function install(): Promise<void> {
  api = (await vscode.extensions.getExtension(EXT)!.activate()) as Api;
  api.ctx.confirm = async (m, d) => {
    confirmations.push(`${m}\n${d}`);
    return true;
  };
  api.ctx.ask = async (o) => {
    asked.push(`${o.title ?? ''} ${o.prompt ?? ''}`);
    return answers.shift();
  };
}

suite('Connections: settings, Select Connection, production, -x', () => {
  suiteSetup(install);
  suiteTeardown(async () => {
    await setConfig('connections', undefined);
    await setConfig('envVariables', undefined);
    await api.connections.select(sample(), undefined);
  });

  test('a connection from settings is listed with its source, selected, read by the status and used by Alembic — also when env.py only reads sqlalchemy.url', async () => {
    const s = sample();
    const before = (await statusOf(s, (x) => x.kind === 'ok', 'status of app.db')).status!.applied;
    // env.py of the sample reads DATABASE_URL; naming another variable leaves it only the config
    await setConfig('envVariables', ['APP_DB_URL']);
    await setConfig('connections', [{ name: 'scratch', url: 'sqlite:///scratch.db' }]);
    const list = await until(() => {
      const c = api.connections.candidates(s);
      return c.some((x) => x.name === 'scratch') ? c : undefined;
    }, 'the settings connection listed');
    assert.deepStrictEqual(list.map((c) => [c.name, c.source]), [['sqlalchemy.url', 'sqlalchemy.url'], ['scratch', 'settings']]);
    await api.connections.select(s, 'settings:scratch');
    const st = await statusOf(s, (x) => x.display === 'SQLite scratch.db', 'status of scratch.db');
    assert.strictEqual(st.status?.noVersionTable, true, 'never migrated');
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: '3c4d5e6f7081' });
    await statusOf(s, (x) => x.display === 'SQLite scratch.db' && x.status?.applied.join() === '3c4d5e6f7081', 'scratch.db at 3c4d5e6f7081');
    assert.ok(fs.existsSync(path.join(ws(), 'scratch.db')));
    await api.connections.select(s, 'config');
    const back = await statusOf(s, (x) => x.display === 'SQLite app.db', 'back on app.db');
    assert.deepStrictEqual(back.status!.applied, before, 'app.db untouched');
  });

  test('the alembic.versionTable setting names the table the status reads (for env.py files that compute it)', async () => {
    const s = sample();
    await statusOf(s, (x) => x.display === 'SQLite app.db' && x.status?.noVersionTable === false, 'app.db migrated');
    await setConfig('versionTable', 'tenant_versions');
    try {
      await statusOf(s, (x) => x.display === 'SQLite app.db' && x.status?.noVersionTable === true, 'no table of that name');
    } finally {
      await setConfig('versionTable', undefined);
    }
    await statusOf(s, (x) => x.display === 'SQLite app.db' && x.status?.noVersionTable === false, 'back to alembic_version');
  });

  test('a production connection shows the steps and the SQL first, and runs only when the database name is typed', async () => {
    const s = sample();
    await setConfig('connections', [{ name: 'scratch', url: 'sqlite:///scratch.db', production: true }]);
    await api.connections.select(s, 'settings:scratch');
    await statusOf(s, (x) => x.display === 'SQLite scratch.db' && x.connection?.production === true, 'production scratch.db');
    confirmations.length = 0;
    answers.push('app.db');
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: '5e6f708192a3' });
    assert.strictEqual(confirmations.length, 1, 'asked even for an upgrade');
    assert.match(confirmations[0], /^Upgrade on SQLite scratch\.db\?/);
    assert.match(confirmations[0], /PRODUCTION/);
    assert.match(confirmations[0], /5e6f708192a3 create invoices table/);
    assert.match(confirmations[0], /CREATE TABLE invoices/, 'the SQL preview');
    assert.match(asked.pop() ?? '', /Type the database name \(scratch\.db\)/);
    let st = await statusOf(s, (x) => x.display === 'SQLite scratch.db', 'status');
    assert.deepStrictEqual(st.status!.applied, ['3c4d5e6f7081'], 'a wrong name runs nothing');
    answers.push('scratch.db');
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: '5e6f708192a3' });
    st = await statusOf(s, (x) => x.display === 'SQLite scratch.db' && x.status?.applied.join() === '5e6f708192a3', 'upgraded after the name was typed');
  });

  test('-x arguments of a connection reach env.py (context.get_x_argument)', async () => {
    const s = sample();
    const env = path.join(ws(), 'migrations', 'env.py');
    const original = fs.readFileSync(env, 'utf8');
    fs.writeFileSync(env, `${original}\n_x = context.get_x_argument(as_dictionary=True)\nif _x.get("marker"):\n    open("x-marker.txt", "w").write(_x["marker"])\n`);
    try {
      await setConfig('connections', [{ name: 'scratch', url: 'sqlite:///scratch.db', x: ['marker=from-settings'] }]);
      await api.connections.select(s, 'settings:scratch');
      await vscode.commands.executeCommand('alembic.current', { setupId: s.id });
      assert.strictEqual(fs.readFileSync(path.join(ws(), 'x-marker.txt'), 'utf8'), 'from-settings');
    } finally {
      fs.writeFileSync(env, original);
    }
  });

  test('an env.py that connects somewhere else than the selected connection: nothing runs, and Alembic says why', async () => {
    const s = sample();
    await setConfig('connections', [{ name: 'scratch', url: 'sqlite:///scratch.db' }]);
    await api.connections.select(s, 'settings:scratch');
    const before = (await statusOf(s, (x) => x.display === 'SQLite scratch.db' && x.kind === 'ok', 'scratch.db')).status!.applied;
    const env = path.join(ws(), 'migrations', 'env.py');
    const original = fs.readFileSync(env, 'utf8');
    fs.writeFileSync(env, original.replace('target_metadata = None', 'config.set_main_option("sqlalchemy.url", "sqlite:///elsewhere.db")\ntarget_metadata = None'));
    try {
      await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: 'heads' });
      const log = await until(() => { const t = logText(); return /env\.py connected to sqlite:\/\/\/elsewhere\.db, not to the selected connection sqlite:\/\/\/scratch\.db\. Nothing was run/.test(t) ? t : undefined; }, 'the refusal in the log');
      assert.ok(log);
      const st = await statusOf(s, (x) => x.display === 'SQLite scratch.db' && x.kind === 'ok', 'scratch.db again');
      assert.deepStrictEqual(st.status!.applied, before, 'scratch.db untouched');
    } finally {
      fs.writeFileSync(env, original);
    }
  });
});

suite('Passwords and a server that goes down (PostgreSQL with scram-sha-256)', () => {
  const PW = 'Right-Pw-4711';
  let pg: PgCluster;

  suiteSetup(async () => {
    await install();
    pg = await startPgCluster(PW);
    await setConfig('connections', [{ name: 'secured', url: `postgresql://postgres@127.0.0.1:${pg.port}/postgres` }]);
    await until(() => api.connections.candidates(sample()).some((c) => c.name === 'secured'), 'connection listed');
    await api.connections.select(sample(), 'settings:secured');
  });

  suiteTeardown(async () => {
    pg?.remove();
    const r = await api.connections.resolve(sample());
    if (r?.connection) await api.connections.forgetPassword(r.connection.url);
    await setConfig('connections', undefined);
    await api.connections.select(sample(), undefined);
  });

  test('no password: the status says the server wants one; a wrong one is refused; the right one is kept in secret storage, not settings', async () => {
    const s = sample();
    let st = await statusOf(s, (x) => x.kind === 'error' && /asks for a password/.test(x.message ?? ''), 'password required');
    assert.strictEqual(st.errorKind, 'auth');
    assert.match(st.message!, new RegExp(`postgresql postgres@127\\.0\\.0\\.1:${pg.port}/postgres`), 'names the connection');
    answers.push('not-the-password');
    await vscode.commands.executeCommand('alembic.enterPassword', { setupId: s.id });
    st = await statusOf(s, (x) => x.kind === 'error' && /password was refused/.test(x.message ?? ''), 'wrong password refused');
    assert.match(st.message!, /Check the user and password/);
    assert.doesNotMatch(st.message!, /not-the-password/);
    await vscode.commands.executeCommand('alembic.current', { setupId: s.id });
    const log = await until(() => { const t = logText(); return /current failed: .*password authentication failed/.test(t) ? t : undefined; }, 'Alembic refused too');
    assert.match(log, /current failed: .*password authentication failed.* — The server refused the user or password: run "Alembic: Enter Database Password…"/);
    assert.doesNotMatch(log, /not-the-password/);
    answers.push(PW);
    await vscode.commands.executeCommand('alembic.enterPassword', { setupId: s.id });
    st = await statusOf(s, (x) => x.kind === 'ok', 'connected with the right password');
    assert.strictEqual(st.status!.noVersionTable, true);
    assert.strictEqual(st.connection!.password, 'secret');
    const settings = path.join(ws(), '.vscode', 'settings.json');
    assert.ok(fs.existsSync(settings), 'the workspace settings hold the connection');
    assert.doesNotMatch(fs.readFileSync(settings, 'utf8'), new RegExp(PW));
  });

  test('Alembic runs with the stored password (through the environment), and the password is in no log', async () => {
    const s = sample();
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: '3c4d5e6f7081' });
    await statusOf(s, (x) => x.kind === 'ok' && x.status?.applied.join() === '3c4d5e6f7081', 'PostgreSQL at 3c4d5e6f7081');
    const log = await until(() => { const t = logText(); return /password from secret storage/.test(t) ? t : undefined; }, 'the run in the log');
    assert.doesNotMatch(log, new RegExp(PW));
  });

  test('the server goes down mid-session: the status says so within seconds, Alembic fails with advice; it recovers when the server is back', async () => {
    const s = sample();
    pg.stop();
    const t0 = Date.now();
    await api.status.refresh();
    const st = api.status.bySetup.get(s.id)!;
    assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
    assert.strictEqual(st.kind, 'error');
    assert.strictEqual(st.errorKind, 'unreachable');
    assert.match(st.message!, new RegExp(`127\\.0\\.0\\.1:${pg.port}/postgres: cannot connect`));
    assert.match(st.message!, /Is the server running/);
    await vscode.commands.executeCommand('alembic.current', { setupId: s.id });
    const log = await until(() => { const t = logText(); return /current failed/.test(t) ? t : undefined; }, 'the failure in the log');
    assert.match(log, /current failed: .*(could not connect|Connection refused|OperationalError)/i);
    assert.match(log, /The database did not answer/, 'with advice');
    pg.start();
    await statusOf(s, (x) => x.kind === 'ok' && x.status?.applied.join() === '3c4d5e6f7081', 'back');
  });

  test('PGPASSWORD is enough: the status reads it as libpq does (before the password file), nothing is prompted', async () => {
    const s = sample();
    const r = await api.connections.resolve(s);
    await api.connections.forgetPassword(r!.connection!.url);
    process.env.PGPASSWORD = PW;
    try {
      asked.length = 0;
      const st = await statusOf(s, (x) => x.kind === 'ok' && x.connection?.password === 'none', 'connected with PGPASSWORD');
      assert.ok(st.status!.applied.length > 0);
      assert.deepStrictEqual(asked, [], 'no prompt');
    } finally {
      delete process.env.PGPASSWORD;
    }
  });

  test('~/.pgpass (PGPASSFILE) is enough: the status and Alembic both read it, nothing is prompted', async () => {
    const s = sample();
    const r = await api.connections.resolve(s);
    await api.connections.forgetPassword(r!.connection!.url);
    const file = path.join(ws(), '..', `pgpass-${pg.port}`);
    fs.writeFileSync(file, `127.0.0.1:${pg.port}:*:postgres:${PW}\n`, { mode: 0o600 });
    process.env.PGPASSFILE = file;
    try {
      asked.length = 0;
      const st = await statusOf(s, (x) => x.kind === 'ok' && x.connection?.password === 'none', 'connected through the password file');
      assert.deepStrictEqual(st.status!.applied, ['3c4d5e6f7081']);
      await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: '4d5e6f708192' });
      await statusOf(s, (x) => x.kind === 'ok' && x.status?.applied.join() === '4d5e6f708192', 'Alembic used the password file too');
      assert.deepStrictEqual(asked, [], 'no prompt');
    } finally {
      delete process.env.PGPASSFILE;
      fs.rmSync(file, { force: true });
    }
  });
});

suite('MySQL/MariaDB: live status through mysql2, Alembic through PyMySQL', () => {
  const db = `alembic_it_${Date.now()}`;
  const user = 'alembic_it';
  const PW = 'Maria-Pw-0815';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const admin = (): Promise<import('mysql2/promise').Connection> => (require('mysql2/promise') as typeof import('mysql2/promise')).createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });

  suiteSetup(async () => {
    await install();
    const a = await admin();
    await a.query(`CREATE DATABASE ${db}`);
    await a.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1', '${user}'@'localhost'`);
    for (const host of ['127.0.0.1', 'localhost']) {
      await a.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${PW}'`);
      await a.query(`GRANT ALL ON ${db}.* TO '${user}'@'${host}'`);
    }
    await a.end();
    await setConfig('connections', [{ name: 'maria', url: `mysql+pymysql://${user}@127.0.0.1:3306/${db}` }]);
    await until(() => api.connections.candidates(sample()).some((c) => c.name === 'maria'), 'connection listed');
    await api.connections.select(sample(), 'settings:maria');
  });

  suiteTeardown(async () => {
    const r = await api.connections.resolve(sample());
    if (r?.connection) await api.connections.forgetPassword(r.connection.url);
    await setConfig('connections', undefined);
    await api.connections.select(sample(), undefined);
    const a = await admin();
    await a.query(`DROP DATABASE IF EXISTS ${db}`);
    await a.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1', '${user}'@'localhost'`);
    await a.end();
  });

  test('a wrong password is refused with a clear message; with the right one, upgrade runs and the status reads the version table', async () => {
    const s = sample();
    answers.push('wrong');
    await vscode.commands.executeCommand('alembic.enterPassword', { setupId: s.id });
    const bad = await statusOf(s, (x) => x.kind === 'error' && x.errorKind === 'auth', 'refused');
    assert.match(bad.message!, new RegExp(`mysql ${user}@127\\.0\\.0\\.1:3306/${db}: the password was refused`));
    answers.push(PW);
    await vscode.commands.executeCommand('alembic.enterPassword', { setupId: s.id });
    await statusOf(s, (x) => x.kind === 'ok' && x.status?.noVersionTable === true, 'not migrated yet');
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: s.id, revision: '4d5e6f708192' });
    await statusOf(s, (x) => x.kind === 'ok' && x.status?.applied.join() === '4d5e6f708192', 'MariaDB at 4d5e6f708192', 30000);
  });
});

suite('Autogenerate against a real SQLAlchemy model', () => {
  const dir = (): string => path.join(ws(), 'autogen');
  const MODELS = 'from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass Widget(Base):\n    __tablename__ = "widgets"\n    id = Column(Integer, primary_key=True)\n    name = Column(String(50), nullable=False)\n';

  suiteSetup(async () => {
    await install();
    const files: Record<string, string> = {
      'alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///autogen.db\n',
      'models.py': MODELS,
      'migrations/script.py.mako': fs.readFileSync(path.join(ws(), 'migrations', 'script.py.mako'), 'utf8'),
      'migrations/env.py': [
        'import os, sys',
        'from alembic import context',
        'from sqlalchemy import engine_from_config, pool',
        'sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))',
        'from models import Base',
        'config = context.config',
        'target_metadata = Base.metadata',
        'connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)',
        'with connectable.connect() as connection:',
        '    context.configure(connection=connection, target_metadata=target_metadata)',
        '    with context.begin_transaction():',
        '        context.run_migrations()',
        '',
      ].join('\n'),
      'migrations/versions/a1b2c3d4e5f6_widgets.py': '"""widgets"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1b2c3d4e5f6"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("widgets", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50), nullable=False))\n\n\ndef downgrade():\n    op.drop_table("widgets")\n',
    };
    // written beside the workspace, then moved in at once (as a checkout or `mv` does): no file
    // watcher reports the files one by one, only the folder
    const staging = fs.mkdtempSync(path.join(ws(), '..', 'autogen-'));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
      fs.writeFileSync(path.join(staging, rel), text);
    }
    fs.renameSync(staging, dir());
  });

  test('after a model change, autogenerate writes the migration and opens it for review', async function () {
    this.timeout(120000); // a new setup found through the file watcher, two Alembic runs
    const setup = await until(() => api.model.graph!.setups.find((s) => s.configPath === path.join(dir(), 'alembic.ini')), 'the setup moved into the workspace indexed', 30000);
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: setup.id, revision: 'head' });
    await statusOf(setup, (x) => x.kind === 'ok' && x.status?.applied.join() === 'a1b2c3d4e5f6', 'autogen.db at head');
    fs.writeFileSync(path.join(dir(), 'models.py'), `${MODELS}    nickname = Column(String(40))\n`);
    await vscode.commands.executeCommand('alembic.autogenerate', { setupId: setup.id, message: 'add nickname' });
    const editor = await until(() => (vscode.window.activeTextEditor?.document.fileName.endsWith('_add_nickname.py') ? vscode.window.activeTextEditor : undefined), 'the generated file open');
    const text = editor.document.getText();
    assert.match(text, /op\.add_column\('widgets', sa\.Column\('nickname', sa\.String\(length=40\), nullable=True\)\)/);
    assert.match(text, /op\.drop_column\('widgets', 'nickname'\)/);
    assert.match(text, /down_revision: Union\[str, Sequence\[str\], None\] = 'a1b2c3d4e5f6'/);
    await until(() => api.model.graph!.setups.find((s) => s.id === setup.id)?.revisions.some((r) => r.path === editor.document.fileName && r.isHead), 'the new head in the tree');
  });

  test('a database migrated from another branch: the status names the revision and says where it is (git), then where it went', async function () {
    this.timeout(120000); // git, the file watcher and three status reads; slow when the machine is busy
    const setup = api.model.graph!.setups.find((s) => s.configPath === path.join(dir(), 'alembic.ini'))!;
    // every commit in the same second, as a rebase or a script makes them: the order must come from the parents, not the dates
    const same = { GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' };
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir(), encoding: 'utf8', env: { ...process.env, ...same } }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'widgets and nickname');
    git('checkout', '-qb', 'feature/archive');
    const head = api.model.graph!.setups.find((s) => s.id === setup.id)!.heads[0];
    const file = path.join(dir(), 'migrations', 'versions', 'f00df00df00d_archive.py');
    fs.writeFileSync(file, `"""archive flag"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "f00df00df00d"\ndown_revision = "${head}"\n\n\ndef upgrade():\n    op.add_column("widgets", sa.Column("archived", sa.Boolean))\n\n\ndef downgrade():\n    op.drop_column("widgets", "archived")\n`);
    git('add', '-A');
    git('commit', '-qm', 'archive flag');
    await until(() => api.model.graph!.setups.find((s) => s.id === setup.id)?.heads.includes('f00df00df00d'), 'the branch revision indexed', 30000);
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: setup.id, revision: 'heads' });
    await statusOf(setup, (x) => x.status?.applied.join() === 'f00df00df00d', 'migrated on the branch');
    git('checkout', '-q', 'main');
    let st = await statusOf(setup, (x) => x.status?.unknown.includes('f00df00df00d') === true && !!x.whereIs, 'the unknown revision explained');
    assert.match(st.whereIs!, /f00df00df00d is on branch feature\/archive \([0-9a-f]+ "archive flag", \d{4}-\d\d-\d\d\), not checked out here/);
    git('merge', '-q', '--ff-only', 'feature/archive');
    await statusOf(setup, (x) => x.status?.unknown.length === 0 && x.status.applied.join() === 'f00df00df00d', 'known again after the merge');
    git('rm', '-q', file);
    git('commit', '-qm', 'drop the archive migration');
    st = await statusOf(setup, (x) => x.status?.unknown.includes('f00df00df00d') === true && /removed/.test(x.whereIs ?? ''), 'the removal explained');
    assert.match(st.whereIs!, /f00df00df00d was removed in [0-9a-f]+ "drop the archive migration" \(\d{4}-\d\d-\d\d\); it came in with [0-9a-f]+ "archive flag"/);
  });
});

suite('Recursive version folders', () => {
  const dir = (): string => path.join(ws(), 'nested');
  const mig = (id: string, down: string | null): string => `"""${id}"""\nrevision = "${id}"\ndown_revision = ${down ? `"${down}"` : 'None'}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
  const setupOf = (): Setup | undefined => api.model.graph?.setups.find((s) => s.configPath === path.join(dir(), 'alembic.ini'));

  suiteTeardown(async () => {
    fs.rmSync(dir(), { recursive: true, force: true });
    await until(() => !setupOf(), 'the nested setup gone', 30000);
  });

  test('a hidden folder moved into a recursively walked version folder is read (Alembic\'s walk enters it)', async function () {
    this.timeout(90000);
    const versions = path.join(dir(), 'migrations', 'versions');
    fs.mkdirSync(versions, { recursive: true });
    fs.writeFileSync(path.join(dir(), 'migrations', 'env.py'), '# not run in this test\n');
    fs.writeFileSync(path.join(versions, 'a_nbase0001.py'), mig('nbase0001', null));
    fs.writeFileSync(path.join(dir(), 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\nrecursive_version_locations = true\n');
    await until(() => setupOf()?.revisions.some((r) => r.id === 'nbase0001'), 'the nested setup indexed', 30000);
    // made outside the workspace, then moved in at once (as a checkout or an unpacked archive does)
    const stage = fs.mkdtempSync(path.join(ws(), '..', 'stage-'));
    try {
      fs.writeFileSync(path.join(stage, 'a_nhid0002.py'), mig('nhid0002', 'nbase0001'));
      fs.renameSync(stage, path.join(versions, '.archive'));
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
    await until(() => setupOf()?.revisions.some((r) => r.id === 'nhid0002'), 'the revision in the hidden folder', 20000);
  });
});
