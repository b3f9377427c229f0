/**
 * Extension-host tests in a real VS Code (code-server): the extension activates on the sample
 * workspace, the language server publishes exact diagnostics, the Migrations tree follows edits
 * and new files.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { logText, until } from './util';

const EXT = 'alembic-migrations.alembic-migrations';
const ws = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
const versions = (): string => path.join(ws(), 'migrations', 'versions');

interface Api {
  status: { refresh(): Promise<void>; bySetup: Map<string, { kind: string; display?: string; message?: string; status?: { applied: string[]; appliedSet: string[]; pending?: string[]; pendingError?: string } }> };
  model: { graph?: { ready: boolean; setups: { id: string; heads: string[]; revisions: { id: string; errors: number; path: string; isHead: boolean; down: string[] }[] }[] }; refresh(): Promise<void> };
  tree: { getChildren(): { kind: string; rev?: { id: string } }[]; getTreeItem(n: unknown): vscode.TreeItem; resolveTreeItem(i: vscode.TreeItem, n: unknown): vscode.TreeItem };
}

suite('Alembic Migrations in VS Code', () => {
  let api: Api;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXT);
    assert.ok(ext, `extension ${EXT} is installed`);
    api = (await ext.activate()) as Api;
    await until(() => api.model.graph?.ready, 'first index');
  });

  test('indexes the sample history (plus the broken file, a head of its own), newest first', async () => {
    const s = api.model.graph!.setups[0];
    assert.deepStrictEqual([...s.heads].sort(), ['8192a3b4c5d6', '92a3b4c5d6e7', 'a0a0a0a0a0a0']);
    const items = api.tree.getChildren().filter((n) => n.kind === 'revision');
    assert.strictEqual(items.length, 10);
    assert.strictEqual(items[items.length - 1].rev!.id, '1a2b3c4d5e6f', 'alembic history order: the base last');
    const head = api.tree.getTreeItem(items[0]);
    assert.match(String(head.description), /head ⚠/);
    const audit = items.find((n) => n.rev!.id === '8192a3b4c5d6')!;
    const auditItem = api.tree.getTreeItem(audit);
    assert.strictEqual(auditItem.tooltip, undefined, 'tooltips are built when shown');
    const tip = api.tree.resolveTreeItem(auditItem, audit).tooltip as vscode.MarkdownString;
    assert.match(tip.value, /parents: 708192a3b4c5/);
    assert.match(tip.value, /branch labels: billing/);
  });

  test('live status reads the SQLite database (migrated by real Alembic to 708192a3b4c5) without Python', async () => {
    await api.status.refresh();
    const id = api.model.graph!.setups[0] && [...api.status.bySetup.keys()][0];
    const st = await until(() => {
      const x = api.status.bySetup.get(id);
      return x && x.kind === 'ok' ? x : undefined;
    }, 'status');
    assert.strictEqual(st.display, 'SQLite app.db');
    assert.deepStrictEqual(st.status!.applied, ['708192a3b4c5']);
    assert.strictEqual(st.status!.appliedSet.length, 7);
    assert.match(st.status!.pendingError ?? '', /missing parent deadbeef0000/, 'the broken file blocks upgrade, and the status says why');
    const items = api.tree.getChildren().filter((n) => n.kind === 'revision');
    const current = api.tree.getTreeItem(items.find((n) => n.rev!.id === '708192a3b4c5'));
    assert.match(String(current.description), /● current/);
    const applied = api.tree.getTreeItem(items.find((n) => n.rev!.id === '1a2b3c4d5e6f'));
    assert.match(String(applied.description), /✓ applied/);
  });

  test('a broken down_revision squiggles the string literal, and hover explains the reference', async () => {
    const file = path.join(versions(), 'a0a0a0a0a0a0_broken.py');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const d = await until(() => vscode.languages.getDiagnostics(doc.uri).find((x) => x.code === 'alembic/missing-parent'), 'missing-parent diagnostic');
    assert.strictEqual(doc.getText(d.range), '"deadbeef0000"');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    const good = path.join(versions(), '2b3c4d5e6f70_add_email_to_users.py');
    const gdoc = await vscode.workspace.openTextDocument(good);
    const at = gdoc.getText().search(/down_revision.*['"]1a2b3c4d5e6f['"]/);
    assert.ok(at >= 0, 'the sample names its parent');
    const pos = gdoc.positionAt(gdoc.getText().indexOf('1a2b3c4d5e6f', at) + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', gdoc.uri, pos);
    const text = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
    assert.match(text, /create users table/);
    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', gdoc.uri, pos);
    assert.strictEqual(path.basename(defs[0].uri.fsPath), '1a2b3c4d5e6f_create_users.py');
  });

  test('fixing the parent in the editor (unsaved) clears the error and updates the tree', async () => {
    const file = path.join(versions(), 'a0a0a0a0a0a0_broken.py');
    const doc = await vscode.workspace.openTextDocument(file);
    const at = doc.getText().indexOf('"deadbeef0000"');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + '"deadbeef0000"'.length)), '"8192a3b4c5d6"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await until(() => !vscode.languages.getDiagnostics(doc.uri).some((x) => x.code === 'alembic/missing-parent'), 'diagnostic cleared');
    await until(() => api.model.graph!.setups[0].revisions.find((r) => r.id === 'a0a0a0a0a0a0' && r.errors === 0), 'tree updated');
    await api.status.refresh();
    const st = [...api.status.bySetup.values()][0];
    const pending = st.status?.pending ?? [];
    assert.deepStrictEqual([...pending].sort(), ['8192a3b4c5d6', '92a3b4c5d6e7', 'a0a0a0a0a0a0'], 'pending once the history is whole');
    assert.ok(pending.indexOf('8192a3b4c5d6') < pending.indexOf('a0a0a0a0a0a0'), 'parents run first');
    assert.deepStrictEqual([...api.model.graph!.setups[0].heads].sort(), ['92a3b4c5d6e7', 'a0a0a0a0a0a0'], 'the fixed file now continues 8192a3b4c5d6');
  });

  test('a migration file created on disk appears in the tree', async () => {
    const file = path.join(versions(), 'b1b1b1b1b1b1_new.py');
    fs.writeFileSync(file, '"""added on disk"""\nrevision = "b1b1b1b1b1b1"\ndown_revision = "92a3b4c5d6e7"\n');
    await until(() => api.model.graph!.setups[0].revisions.some((r) => r.id === 'b1b1b1b1b1b1'), 'new revision in the tree');
  });

  test('Refresh reads the disk again: when the command returns, a file written a moment before is in the tree', async () => {
    const file = path.join(versions(), 'c1c1c1c1c1c1_refreshed.py');
    fs.writeFileSync(file, '"""refreshed"""\nrevision = "c1c1c1c1c1c1"\ndown_revision = "b1b1b1b1b1b1"\n');
    await vscode.commands.executeCommand('alembic.refresh');
    assert.ok(api.model.graph!.setups[0].revisions.some((r) => r.id === 'c1c1c1c1c1c1'), 'in the graph as soon as Refresh returned (no file event needed)');
  });

  test('document symbols list the header and the functions', async () => {
    const file = path.join(versions(), '1a2b3c4d5e6f_create_users.py');
    const doc = await vscode.workspace.openTextDocument(file);
    const symbols = await until(async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
      return s?.length ? s : undefined;
    }, 'symbols');
    assert.deepStrictEqual(symbols.map((s) => s.name), ['revision', 'down_revision', 'branch_labels', 'depends_on', 'upgrade()', 'downgrade()']);
  });
});

suite('Running Alembic (real Alembic, real SQLite)', () => {
  let api: Api & { ctx: { confirm: (m: string, d: string, b: string) => Promise<boolean> } };
  const confirmations: string[] = [];

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension(EXT)!.activate()) as typeof api;
    api.ctx.confirm = async (m, d) => {
      confirmations.push(`${m}\n${d}`);
      return true;
    };
    // Alembic reads the disk: save the fixed file (the earlier test fixed it unsaved)
    const doc = await vscode.workspace.openTextDocument(path.join(versions(), 'a0a0a0a0a0a0_broken.py'));
    if (doc.isDirty) await doc.save();
    fs.rmSync(path.join(versions(), 'b1b1b1b1b1b1_new.py'), { force: true });
    fs.rmSync(path.join(versions(), 'c1c1c1c1c1c1_refreshed.py'), { force: true });
    await until(async () => {
      await api.status.refresh();
      const st = [...api.status.bySetup.values()][0];
      return st?.status?.pending?.length === 3;
    }, 'a whole history with 3 pending');
  });

  const applied = (): string[] => [...api.status.bySetup.values()][0].status!.applied;

  test('upgrade to a revision (as the code lens does) applies it and the status follows', async () => {
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: api.model.graph!.setups[0].id, revision: '8192a3b4c5d6' });
    await until(() => applied().includes('8192a3b4c5d6'), 'applied 8192a3b4c5d6');
    assert.deepStrictEqual(applied(), ['8192a3b4c5d6']);
  });

  test('downgrade asks first, showing the exact steps, then undoes them', async () => {
    confirmations.length = 0;
    const setupId = api.model.graph!.setups[0].id;
    await vscode.commands.executeCommand('alembic.downgrade', { setupId, revision: '708192a3b4c5' });
    assert.strictEqual(confirmations.length, 1);
    assert.match(confirmations[0], /^Downgrade on SQLite app\.db\?/);
    assert.match(confirmations[0], /8192a3b4c5d6 create audit log/);
    assert.match(confirmations[0], /SQL \(alembic downgrade 8192a3b4c5d6:708192a3b4c5 --sql\):\n[^]*DROP TABLE audit_log/, 'the SQL preview');
    await until(() => applied().includes('708192a3b4c5'), 'back at 708192a3b4c5');
  });

  test('Show SQL opens the offline SQL of exactly that revision', async () => {
    const setupId = api.model.graph!.setups[0].id;
    await vscode.commands.executeCommand('alembic.showSql', { setupId, revision: '8192a3b4c5d6' });
    const doc = await until(() => vscode.workspace.textDocuments.find((d) => d.languageId === 'sql' && /708192a3b4c5:8192a3b4c5d6/.test(d.getText())), 'SQL document');
    assert.match(doc.getText(), /CREATE TABLE audit_log/);
    assert.doesNotMatch(doc.getText(), /CREATE TABLE users/, 'only the one step');
  });

  test('cancel interrupts a long migration and the version table stays consistent', async () => {
    fs.writeFileSync(path.join(versions(), 'c2c2c2c2c2c2_slow.py'), '"""slow"""\nimport time\nrevision = "c2c2c2c2c2c2"\ndown_revision = "92a3b4c5d6e7"\n\ndef upgrade():\n    time.sleep(60)\n\ndef downgrade():\n    pass\n');
    await until(() => api.model.graph!.setups[0].revisions.some((r) => r.id === 'c2c2c2c2c2c2'), 'slow revision indexed');
    const setupId = api.model.graph!.setups[0].id;
    const run = vscode.commands.executeCommand('alembic.upgrade', { setupId, revision: 'c2c2c2c2c2c2' });
    await new Promise((r) => setTimeout(r, 4000)); // 92a3b4c5d6e7 runs, then the sleep starts
    await vscode.commands.executeCommand('alembic.cancelRun');
    const t0 = Date.now();
    await run;
    assert.ok(Date.now() - t0 < 10000, 'stopped promptly');
    await api.status.refresh();
    const rows = applied();
    assert.ok(!rows.includes('c2c2c2c2c2c2'), `the interrupted revision is not recorded (rows: ${rows})`);
    assert.ok(rows.every((r) => ['708192a3b4c5', '92a3b4c5d6e7'].includes(r)), `rows are a consistent state: ${rows}`);
  });
});

suite('Stamp, new revision, merge heads (real Alembic)', () => {
  let api: Api & { ctx: { confirm: (m: string, d: string, b: string) => Promise<boolean> } };
  const confirmations: string[] = [];
  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension(EXT)!.activate()) as typeof api;
    api.ctx.confirm = async (m) => {
      confirmations.push(m);
      return true;
    };
  });
  const rows = async (): Promise<string[]> => {
    await api.status.refresh();
    return [...api.status.bySetup.values()][0].status?.applied ?? [];
  };

  test('merge heads leaves a single head', async () => {
    const before = api.model.graph!.setups[0].heads.length;
    assert.ok(before >= 2, `needs several heads (has ${before})`);
    await vscode.commands.executeCommand('alembic.mergeHeads', { setupId: api.model.graph!.setups[0].id, message: 'merge for release' });
    await until(() => api.model.graph!.setups[0].heads.length === 1, 'one head');
    const head = api.model.graph!.setups[0].revisions.find((r) => r.isHead)!;
    assert.strictEqual(head.down.length, before);
  });
  test('a new revision is written by Alembic and opened', async () => {
    await vscode.commands.executeCommand('alembic.revision', { setupId: api.model.graph!.setups[0].id, message: 'add widgets' });
    const editor = await until(() => (vscode.window.activeTextEditor?.document.fileName.endsWith('_add_widgets.py') ? vscode.window.activeTextEditor : undefined), 'the new file open');
    assert.match(editor.document.getText(), /down_revision: Union\[str, Sequence\[str\], None\] = \(?'/);
    await until(() => api.model.graph!.setups[0].revisions.some((r) => r.path === editor.document.fileName), 'new revision in the tree');
  });

  test('stamp asks first, then only rewrites the version table', async () => {
    await vscode.commands.executeCommand('alembic.stamp', { setupId: api.model.graph!.setups[0].id, revision: '8192a3b4c5d6' });
    assert.match(confirmations.pop() ?? '', /^Stamp 8192a3b4c5d6 on SQLite app\.db\?/);
    await until(async () => (await rows()).includes('8192a3b4c5d6'), 'stamped');
  });

});

suite('PostgreSQL through .env DATABASE_URL, and no secret in the log', () => {
  const SECRET = 'Sup3rS3cretPw';
  const db = `alembic_it_${Date.now()}`;
  let api: Api & { ctx: { confirm: (m: string, d: string, b: string) => Promise<boolean>; extension: vscode.ExtensionContext } };

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension(EXT)!.activate()) as typeof api;
    api.ctx.confirm = async () => true;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('pg') as typeof import('pg');
    const admin = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    fs.writeFileSync(path.join(ws(), '.env'), `# the app's settings\nDATABASE_URL="postgresql://postgres:${SECRET}@127.0.0.1:5432/${db}"\n`);
  });

  suiteTeardown(async () => {
    fs.rmSync(path.join(ws(), '.env'), { force: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('pg') as typeof import('pg');
    const admin = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  });

  test('status comes from the .env database, upgrade runs against it', async () => {
    const st = await until(async () => {
      await api.status.refresh();
      const x = [...api.status.bySetup.values()][0];
      return x?.display?.startsWith('postgresql') ? x : undefined;
    }, 'status from PostgreSQL');
    assert.strictEqual(st.display, `postgresql postgres@127.0.0.1:5432/${db}`);
    assert.strictEqual(st.status?.applied.length ?? 0, 0);
    await vscode.commands.executeCommand('alembic.upgrade', { setupId: api.model.graph!.setups[0].id, revision: '3c4d5e6f7081' });
    await until(async () => {
      await api.status.refresh();
      return [...api.status.bySetup.values()][0].status?.applied.includes('3c4d5e6f7081');
    }, 'PostgreSQL at 3c4d5e6f7081');
  });

  test('the password appears nowhere in the Alembic log', async () => {
    await vscode.commands.executeCommand('alembic.current', { setupId: api.model.graph!.setups[0].id });
    const text = await until(() => {
      const t = logText(api.ctx.extension);
      return /alembic current finished/.test(t) ? t : undefined;
    }, 'the log of the run');
    assert.match(text, /\$ .*-m alembic -c /, 'the command is logged');
    assert.doesNotMatch(text, new RegExp(SECRET));
  });
});
