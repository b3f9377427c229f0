import * as assert from 'assert';
import * as path from 'path';
import { indexWorkspace, nodeFs } from '../../server/src/core';
import { startReadAhead } from '../../server/src/core/readAhead';
import { cleanupTmp, project, randomHistory, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

describe('reading ahead on a worker thread', () => {
  it('indexes exactly as without it (large listings, two setups, a binary file)', async () => {
    const d = tmpDir();
    writeTree(path.join(d, 'one'), project(randomHistory(4, 450)));
    writeTree(path.join(d, 'two'), project(randomHistory(9, 260)));
    writeTree(d, { 'one/migrations/versions/zz_blob.py': new Uint8Array([1, 0, 2]) });
    const plain = await indexWorkspace(nodeFs, d, { mode: 'fast' });
    const readAhead = startReadAhead();
    try {
      const ahead = await indexWorkspace(nodeFs, d, { mode: 'fast', readAhead });
      assert.strictEqual(ahead.length, 2);
      assert.deepStrictEqual(ahead, plain);
      assert.ok(ahead[0].files.length + ahead[1].files.length > 700);
      assert.ok(ahead.some((s) => s.findings.some((f) => f.code === 'alembic/unreadable')), 'the binary file is reported');
    } finally {
      readAhead.close();
    }
  });

  it('a closed reader hands every file back to the caller', async () => {
    const r = startReadAhead();
    r.close();
    r.start(['/nowhere']);
    assert.strictEqual(await r.get(0), undefined);
  });
});
