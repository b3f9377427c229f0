import * as assert from 'assert';
import * as path from 'path';
import { indexWorkspace, nodeFs } from '../../server/src/core';
import { HISTORIES } from '../fixtures/histories';
import { cleanupTmp, project, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

describe('diagnostics on one history per rule', () => {
  for (const fx of HISTORIES) {
    it(`${fx.name}: ${fx.expect.length ? fx.expect.join(', ') : 'quiet'}`, async () => {
      const dir = writeTree(tmpDir(), project(fx.revs));
      const [ix] = await indexWorkspace(nodeFs, dir);
      assert.ok(ix, 'the setup is discovered');
      const codes = [...new Set(ix.findings.map((f) => f.code))].sort();
      assert.deepStrictEqual(codes, [...fx.expect].sort(), JSON.stringify(ix.findings.map((f) => [f.code, f.message]), null, 1));
      for (const f of ix.findings) {
        assert.ok(f.span, `${f.code} has a range`);
        assert.ok(f.message.length > 20, `${f.code} says what to do`);
      }
    });
  }

  it('squiggles exactly the broken down_revision literal and offers the unique-prefix fix', async () => {
    const dir = writeTree(tmpDir(), project([{ id: 'abcdef123456' }, { id: 'next0002', down: 'abcdef' }]));
    const [ix] = await indexWorkspace(nodeFs, dir);
    const f = ix.findings.find((x) => x.code === 'alembic/missing-parent')!;
    const text = require('fs').readFileSync(f.path, 'utf8') as string;
    assert.strictEqual(text.slice(f.span!.start, f.span!.end), '"abcdef"');
    assert.deepStrictEqual(f.fixes!.map((x) => x.edits[0].newText), ['"abcdef123456"']);
    assert.deepStrictEqual(f.data!.candidates, ['abcdef123456']);
  });

  it('puts multiple-heads on each head with the others as related locations', async () => {
    const dir = writeTree(tmpDir(), project([{ id: 'root0001' }, { id: 'head0002', down: 'root0001' }, { id: 'head0003', down: 'root0001' }]));
    const [ix] = await indexWorkspace(nodeFs, dir);
    const mh = ix.findings.filter((x) => x.code === 'alembic/multiple-heads');
    assert.deepStrictEqual(mh.map((x) => path.basename(x.path)).sort(), ['0001_head0002.py', '0002_head0003.py']);
    for (const m of mh) {
      assert.strictEqual(m.related!.length, 1);
      assert.notStrictEqual(m.related![0].path, m.path);
    }
  });

  it('reports duplicates on both files', async () => {
    const fx = HISTORIES.find((h) => h.name === 'duplicate revision id')!;
    const [ix] = await indexWorkspace(nodeFs, writeTree(tmpDir(), project(fx.revs)));
    const d = ix.findings.filter((x) => x.code === 'alembic/duplicate-revision');
    assert.deepStrictEqual(d.map((x) => path.basename(x.path)).sort(), ['a_twin.py', 'b_twin.py']);
  });
});
