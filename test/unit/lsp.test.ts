/**
 * The language server as a client sees it: spawned from the bundle (dist/server.js) over stdio,
 * driven with JSON-RPC. Asserts exact diagnostics, hover, definition, completion, quick fixes,
 * and that the graph follows edits.
 */
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { cleanupTmp, migration, project, tmpDir, writeTree } from '../helpers';

const SERVER = path.resolve(__dirname, '../../../dist/server.js');

interface Diag { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code: string; message: string; data?: unknown; relatedInformation?: unknown[] }

class Client {
  proc: ChildProcess;
  conn: MessageConnection;
  diags = new Map<string, Diag[]>();
  graphVersion = 0;
  constructor(root: string) {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => this.diags.set(p.uri, p.diagnostics));
    this.conn.onNotification('alembic/graphChanged', (p: { version: number }) => { this.graphVersion = p.version; });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.listen();
    this.root = root;
  }
  root: string;
  async start(): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: uri(this.root), capabilities: {}, workspaceFolders: [{ uri: uri(this.root), name: 'ws' }] });
    await this.conn.sendNotification('initialized', {});
  }
  open(file: string): void {
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') } });
  }
  change(file: string, text: string, version: number): void {
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: [{ text }] });
  }
  async until<T>(what: () => T | undefined | false | Promise<T | undefined | false>, label: string, ms = 10000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  async stop(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      void this.conn.sendNotification('exit');
    } catch { /* already gone */ }
    this.conn.dispose();
    this.proc.kill();
  }
}

const uri = (p: string): string => pathToFileURL(p).href;

describe('language server (over stdio, from the bundle)', function () {
  let dir: string;
  let c: Client;
  const file = (name: string): string => path.join(dir, 'migrations/versions', name);
  before(async () => {
    dir = writeTree(tmpDir(), project([
      { id: 'root0001', message: 'create users' }, { id: 'head0002', down: 'root0001', message: 'add email' },
      { id: 'lost0003', down: 'gone0000', message: 'orphan' },
    ]));
    c = new Client(dir);
    await c.start();
  });
  after(async () => {
    await c.stop();
    cleanupTmp();
  });

  it('publishes the broken down_revision on the string literal, and multiple heads with related heads', async () => {
    const lost = uri(file('0002_lost0003.py'));
    const d = await c.until(() => (c.diags.get(lost)?.length ? c.diags.get(lost) : undefined), 'diagnostics');
    const missing = d.find((x) => x.code === 'alembic/missing-parent')!;
    const text = fs.readFileSync(file('0002_lost0003.py'), 'utf8').split('\n')[missing.range.start.line];
    assert.strictEqual(text.slice(missing.range.start.character, missing.range.end.character), '"gone0000"');
    // each file's diagnostics come in their own notification: wait for the head's too
    const heads = (await c.until(() => c.diags.get(uri(file('0001_head0002.py'))), 'head diagnostics')).filter((x) => x.code === 'alembic/multiple-heads');
    assert.strictEqual(heads.length, 1);
    assert.strictEqual(heads[0].relatedInformation!.length, 1);
  });

  it('serves the graph to the client', async () => {
    const g = await c.conn.sendRequest('alembic/graph') as { ready: boolean; setups: { heads: string[]; revisions: { id: string }[] }[] };
    assert.strictEqual(g.ready, true);
    assert.deepStrictEqual(g.setups[0].heads, ['head0002', 'lost0003']);
    assert.deepStrictEqual(g.setups[0].revisions.map((r) => r.id), ['head0002', 'root0001', 'lost0003']);
  });

  it('hover and go to definition on a down_revision id', async () => {
    const f = file('0001_head0002.py');
    c.open(f);
    const text = fs.readFileSync(f, 'utf8');
    const off = text.indexOf('"root0001"') + 3;
    const before = text.slice(0, off).split('\n');
    const pos = { line: before.length - 1, character: before[before.length - 1].length };
    const h = await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(f) }, position: pos }) as { contents: { value: string } };
    assert.match(h.contents.value, /\*\*root0001\*\* — create users/);
    assert.match(h.contents.value, /children \| `head0002`/);
    const def = await c.conn.sendRequest('textDocument/definition', { textDocument: { uri: uri(f) }, position: pos }) as { uri: string };
    assert.strictEqual(def.uri, uri(file('0000_root0001.py')));
  });

  it('completes ids inside down_revision, heads first', async () => {
    const f = file('0002_lost0003.py');
    c.open(f);
    const text = fs.readFileSync(f, 'utf8');
    const line = text.split('\n').findIndex((l) => l.startsWith('down_revision'));
    const col = text.split('\n')[line].indexOf('"gone') + 1;
    const items = await c.conn.sendRequest('textDocument/completion', { textDocument: { uri: uri(f) }, position: { line, character: col } }) as { label: string; detail: string }[];
    assert.deepStrictEqual(items.map((i) => i.label), ['head0002', 'root0001']);
    assert.match(items[0].detail, /^head · add email/);
  });

  it('follows unsaved edits: fixing the parent clears the error and the extra head', async () => {
    const f = file('0002_lost0003.py');
    const fixed = migration({ id: 'lost0003', down: 'head0002', message: 'orphan' });
    c.change(f, fixed, 2);
    await c.until(() => (c.diags.get(uri(f)) ?? []).length === 0 && (c.diags.get(uri(file('0001_head0002.py'))) ?? []).length === 0, 'cleared diagnostics');
    const g = await c.conn.sendRequest('alembic/graph') as { setups: { heads: string[] }[] };
    assert.deepStrictEqual(g.setups[0].heads, ['lost0003']);
  });

  it('offers the quick fix carried by a diagnostic', async () => {
    const f = file('0002_lost0003.py');
    c.change(f, migration({ id: 'lost0003', down: 'head00', message: 'orphan' }), 3);
    const d = await c.until(() => c.diags.get(uri(f))?.find((x) => x.code === 'alembic/missing-parent'), 'missing-parent');
    const actions = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri(f) }, range: d.range, context: { diagnostics: [d] } }) as { title: string; edit: { changes: Record<string, { newText: string }[]> } }[];
    assert.deepStrictEqual(actions.map((a) => a.title), ["Replace with 'head0002'"]);
    assert.strictEqual(actions[0].edit.changes[uri(f)][0].newText, '"head0002"');
  });

  it('sees a new migration file created on disk', async () => {
    const f = file('0003_new00004.py');
    fs.writeFileSync(f, migration({ id: 'new00004', down: 'root0001' }));
    void c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(f), type: 1 }] });
    const g = await c.until(async () => {
      const r = await c.conn.sendRequest('alembic/graph') as { setups: { revisions: { id: string }[] }[] };
      return r.setups[0].revisions.some((x) => x.id === 'new00004') ? r : undefined;
    }, 'new revision');
    assert.ok(g.setups[0].revisions.some((x) => x.id === 'new00004'));
  });

  it('alembic/reindex reads everything again: files added and changed without any file event are seen', async () => {
    const f = file('0004_quiet0005.py');
    fs.writeFileSync(f, migration({ id: 'quiet005', down: 'root0001', message: 'added quietly' }));
    await c.conn.sendRequest('alembic/reindex');
    const g = await c.conn.sendRequest('alembic/graph') as { setups: { revisions: { id: string; message: string }[] }[] };
    assert.strictEqual(g.setups[0].revisions.find((x) => x.id === 'quiet005')?.message, 'added quietly');
    fs.writeFileSync(f, migration({ id: 'quiet005', down: 'root0001', message: 'changed behind our back' }));
    await c.conn.sendRequest('alembic/reindex');
    const g2 = await c.conn.sendRequest('alembic/graph') as { setups: { revisions: { id: string; message: string }[] }[] };
    assert.strictEqual(g2.setups[0].revisions.find((x) => x.id === 'quiet005')?.message, 'changed behind our back');
  });
});

describe('language server: references, symbols, rename, head fixes', function () {
  let dir: string;
  let c: Client;
  const file = (name: string): string => path.join(dir, 'migrations/versions', name);
  const posOf = (f: string, needle: string, delta = 1): { line: number; character: number } => {
    const text = fs.readFileSync(f, 'utf8');
    const before = text.slice(0, text.indexOf(needle) + delta).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  before(async () => {
    dir = writeTree(tmpDir(), {
      ...project([
        { id: 'root0001', message: 'create users' }, { id: 'left0002', down: 'root0001', message: 'left' },
        { id: 'rght0003', down: 'root0001', message: 'right', deps: 'root0001' },
      ]),
      'migrations/versions/0003_single.py': "'''single quotes'''\nrevision = 'sing0004'\ndown_revision = 'left0002'\n",
    });
    c = new Client(dir);
    await c.start();
    await c.until(() => c.diags.size > 0 && c.diags, 'first diagnostics');
  });
  after(async () => {
    await c.stop();
    cleanupTmp();
  });

  it('finds references: children and dependents', async () => {
    const f = file('0000_root0001.py');
    c.open(f);
    const refs = await c.conn.sendRequest('textDocument/references', { textDocument: { uri: uri(f) }, position: posOf(f, 'revision: str = "root0001"', 17), context: { includeDeclaration: false } }) as { uri: string }[];
    assert.deepStrictEqual(refs.map((r) => path.basename(new URL(r.uri).pathname)).sort(), ['0001_left0002.py', '0002_rght0003.py', '0002_rght0003.py']);
  });

  it('workspace symbols by id prefix and by message', async () => {
    const byId = await c.conn.sendRequest('workspace/symbol', { query: 'rght' }) as { name: string }[];
    assert.deepStrictEqual(byId.map((s) => s.name), ['rght0003 right']);
    const byMsg = await c.conn.sendRequest('workspace/symbol', { query: 'USERS' }) as { name: string }[];
    assert.deepStrictEqual(byMsg.map((s) => s.name), ['root0001 create users']);
  });

  it('renames an id everywhere, keeping each file\'s quotes, and refuses a bad id', async () => {
    const f = file('0001_left0002.py');
    c.open(f);
    const pos = posOf(f, 'revision: str = "left0002"', 17);
    const range = await c.conn.sendRequest('textDocument/prepareRename', { textDocument: { uri: uri(f) }, position: pos });
    assert.ok(range);
    const edit = await c.conn.sendRequest('textDocument/rename', { textDocument: { uri: uri(f) }, position: pos, newName: 'left9999' }) as { changes: Record<string, { newText: string }[]> };
    const texts = Object.entries(edit.changes).map(([u, e]) => [path.basename(new URL(u).pathname), e.map((x) => x.newText)]).sort();
    assert.deepStrictEqual(texts, [['0001_left0002.py', ['"left9999"']], ['0003_single.py', ["'left9999'"]]]);
    await assert.rejects(c.conn.sendRequest('textDocument/rename', { textDocument: { uri: uri(f) }, position: pos, newName: '2024-01-01' }), /not a valid revision id/);
    await assert.rejects(c.conn.sendRequest('textDocument/rename', { textDocument: { uri: uri(f) }, position: pos, newName: 'root0001' }), /already used/);
  });

  it('an edit below the header re-checks only that file, and graph findings stay', async () => {
    const f = file('0000_root0001.py');
    const text = fs.readFileSync(f, 'utf8').replace(/def downgrade\(\) -> None:\n.*\n/, 'def downgrade() -> None:\n    pass\n');
    const announced = c.graphVersion;
    c.change(f, text, 7);
    await c.until(() => c.diags.get(uri(f))?.some((x) => x.code === 'alembic/empty-downgrade'), 'empty-downgrade');
    assert.ok(c.diags.get(uri(file('0002_rght0003.py')))!.some((x) => x.code === 'alembic/multiple-heads'), 'heads still reported');
    // the history did not change: no graphChanged, so the client does not fetch it again
    assert.ok(announced > 0);
    assert.strictEqual(c.graphVersion, announced);
    assert.strictEqual(((await c.conn.sendRequest('alembic/graph')) as { version: number }).version, announced);
  });

  it('multiple heads: "continue after head" and "merge the heads" quick fixes, and the merge file really merges', async () => {
    const f = file('0002_rght0003.py');
    c.open(f);
    const d = await c.until(() => c.diags.get(uri(f))?.find((x) => x.code === 'alembic/multiple-heads'), 'multiple-heads');
    const actions = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri(f) }, range: d.range, context: { diagnostics: [d] } }) as { title: string; edit: { changes?: Record<string, { newText: string }[]>; documentChanges?: { kind?: string; uri?: string; edits?: { newText: string }[] }[] } }[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes("Continue after head 'sing0004' (set down_revision = 'sing0004')"), titles.join('\n'));
    const merge = actions.find((a) => a.title.startsWith('Merge the 2 heads'))!;
    const [create, insert] = merge.edit.documentChanges!;
    assert.strictEqual(create.kind, 'create');
    fs.writeFileSync(new URL(create.uri!), insert.edits![0].newText);
    const { indexWorkspace, nodeFs } = await import('../../server/src/core');
    const [ix] = await indexWorkspace(nodeFs, dir);
    assert.strictEqual(ix.graph.heads.length, 1, 'one head after the merge file');
    assert.deepStrictEqual(ix.findings.filter((x) => x.severity === 'error'), []);
  });
});

describe('language server with a client that does not send workspace folder changes', function () {
  after(() => cleanupTmp());

  it('still indexes and asks for the file watchers it needs', async () => {
    const dir = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'lost0002', down: 'gone0000' }]));
    const c = new Client(dir);
    const registered: string[] = [];
    c.conn.onRequest('client/registerCapability', (p: { registrations: { method: string }[] }) => {
      registered.push(...p.registrations.map((r) => r.method));
      return null;
    });
    try {
      await c.start(); // capabilities: {} (no workspace.workspaceFolders)
      await c.until(() => [...c.diags.values()].some((d) => d.some((x) => x.code === 'alembic/missing-parent')), 'missing-parent');
      await c.until(() => registered.includes('workspace/didChangeWatchedFiles'), 'watched-files registration');
    } finally {
      await c.stop();
    }
  });
});
