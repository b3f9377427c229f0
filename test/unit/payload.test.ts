/**
 * The graph payload the language server sends to the client: patched in place of rebuilt when
 * the graph is unchanged, and announced only when it changed. Compared with a fresh index after
 * every edit.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { nodeFs } from '../../server/src/core';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { cleanupTmp, project, randomHistory, rng, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

describe('graph payload for the client', () => {
  it('equals a fresh index after every edit; typing in upgrade() neither rebuilds nor announces it', async () => {
    const d = tmpDir();
    const revs = randomHistory(11, 60);
    writeTree(d, project(revs));
    const versions = path.join(d, 'migrations', 'versions');
    const files = fs.readdirSync(versions).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(versions, f));
    const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
    const ws = new WorkspaceIndex(nodeFs, () => [d], () => []);
    await ws.reindexAll();
    let before = ws.graphs();
    const r = rng(5);
    const counts = { body: 0, message: 0, header: 0 };
    for (let e = 0; e < 40; e++) {
      const file = files[Math.floor(r() * files.length)];
      const text = texts.get(file)!;
      const x = r();
      let next: string;
      let kind: keyof typeof counts;
      if (x < 0.4) {
        kind = 'body';
        next = text.replace(/(\ndef upgrade\(\) -> None:\n)/, `$1    # typing ${e}\n`);
      } else if (x < 0.6) {
        kind = 'message';
        next = text.replace(/^"""[^\n]*/, `"""changed message ${e}`);
      } else {
        kind = 'header';
        const target = x < 0.7 ? `gone${e}` : x < 0.8 ? '' : revs[Math.floor(r() * revs.length)].id;
        next = text.replace(/^(down_revision[^=]*= )[^\n]*/m, `$1${JSON.stringify(target)}`);
      }
      assert.notStrictEqual(next, text, `edit ${e} (${kind}) changed nothing`);
      texts.set(file, next);
      counts[kind]++;
      const version = ws.graphVersion;
      await ws.documentChanged(file, next);
      const now = ws.graphs();
      const fresh = new WorkspaceIndex(nodeFs, () => [d], () => []);
      await fresh.reindexAll();
      for (const [f, t] of texts) if (t !== fs.readFileSync(f, 'utf8')) await fresh.documentChanged(f, t);
      assert.deepStrictEqual(now, fresh.graphs(), `edit ${e} (${kind})`);
      if (kind === 'body') {
        assert.strictEqual(ws.graphVersion, version, `edit ${e}: typing in upgrade() announced a new graph`);
        assert.strictEqual(now[0], before[0], `edit ${e}: the payload was rebuilt`);
      } else if (kind === 'message') {
        assert.ok(ws.graphVersion > version, `edit ${e}: a new message was not announced`);
      }
      before = now;
    }
    assert.ok(counts.body >= 8 && counts.message >= 4 && counts.header >= 8, JSON.stringify(counts));
  });

  it('branch labels: one table entry per distinct list, however the labels are spelled', async () => {
    const d = tmpDir();
    writeTree(d, project([
      { id: 'a1', labels: ['x', 'y'] },
      { id: 'b1', labels: ['x\ny'] },
      { id: 'c1', labels: [''] },
      { id: 'd1' },
      { id: 'a2', down: 'a1' },
    ]));
    const ws = new WorkspaceIndex(nodeFs, () => [d], () => []);
    await ws.reindexAll();
    const [g] = ws.graphs();
    const labelsOf = (id: string): string[] => g.labelSets[g.revisions.find((r) => r.id === id)!.labels];
    assert.deepStrictEqual(labelsOf('a1'), ['x', 'y']);
    assert.deepStrictEqual(labelsOf('a2'), ['x', 'y']);
    assert.deepStrictEqual(labelsOf('b1'), ['x\ny']);
    assert.deepStrictEqual(labelsOf('c1'), ['']);
    assert.deepStrictEqual(labelsOf('d1'), []);
    assert.strictEqual(g.labelSets.length, 4);
  });
});
