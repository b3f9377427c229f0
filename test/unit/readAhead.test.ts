import * as assert from 'assert';
import * as fs from 'fs';
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

  it('hands over what the worker read, byte for byte, and what it could not read as undefined', async () => {
    const d = tmpDir();
    const files = Array.from({ length: 300 }, (_, i) => path.join(d, `f${i}.py`));
    files.forEach((f, i) => { if (i !== 7) fs.writeFileSync(f, `revision = "${i}"\n`.repeat(i % 5 + 1)); });
    const r = startReadAhead();
    try {
      r.start(files);
      // the caller never waits for the worker: here the test does, until everything arrived
      const deadline = Date.now() + 15000;
      while (r.received() < files.length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      let handed = 0;
      for (let i = 0; i < files.length; i++) {
        const b = await r.get(i);
        if (i === 7) assert.strictEqual(b, undefined);
        else if (b) {
          handed++;
          assert.ok(Buffer.from(b).equals(fs.readFileSync(files[i])), files[i]);
        }
      }
      assert.strictEqual(handed, files.length - 1);
    } finally {
      r.close();
    }
  });

  it('a closed reader hands every file back to the caller', async () => {
    const r = startReadAhead();
    r.close();
    r.start(['/nowhere']);
    assert.strictEqual(await r.get(0), undefined);
  });
});
