import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CoreFs, indexWorkspace, loadListing, loadScriptFile, nodeFs, SetupIndex, summaryOf } from '../../server/src/core';
import { Loaded, ReadAhead, startReadAhead } from '../../server/src/core/readAhead';
import { cleanupTmp, project, randomHistory, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

/** The worker as the CLI and the language server start it (built by `npm run build`). */
const WORKER = path.resolve(__dirname, '../../../dist/scanWorker.js');

/** What an index says, file by file (facts read through the getter: from bytes, text or memory). */
function view(ixs: SetupIndex[]): unknown {
  return ixs.map((ix) => ({
    files: ix.files.map((f) => ({ path: f.path, id: f.id, idFromFilename: f.idFromFilename, readError: f.readError, summary: f.summary, facts: f.facts })),
    graph: ix.graph,
    findings: ix.findings,
  }));
}

/** Counts what the worker handed over scanned. */
function counting(r: ReadAhead): ReadAhead & { scanned: number } {
  const c = Object.assign(Object.create(null) as object, r, { scanned: 0 }) as ReadAhead & { scanned: number };
  c.take = (): Loaded[] => {
    const xs = r.take();
    c.scanned += xs.filter((x) => x.scanned).length;
    return xs;
  };
  return c;
}

function workspace(): string {
  const d = tmpDir();
  writeTree(path.join(d, 'one'), project(randomHistory(4, 450)));
  writeTree(path.join(d, 'two'), project(randomHistory(9, 260)));
  writeTree(d, {
    'one/migrations/versions/zz_blob.py': new Uint8Array([1, 0, 2]), // binary: unreadable for Python
    'one/migrations/versions/zz_latin1.py': new Uint8Array([0x23, 0xe9, 0x0a]), // not UTF-8
    'one/migrations/versions/abc123.py': 'down_revision = None\n', // id from the file name
    // a shape the quick tier hands over to the tokenizer (a value spread over lines)
    'two/migrations/versions/zz_wide.py': "revision = 'wide'\ndown_revision = (\n    None\n)\n",
  });
  return d;
}

describe('indexing on two threads (read-ahead worker)', () => {
  before(() => assert.ok(fs.existsSync(WORKER), `${WORKER} is missing: run npm run build first`));

  it('indexes exactly as one thread does (large listings, two setups, unreadable, non-UTF-8, hex-named and tokenizer-read files)', async () => {
    const d = workspace();
    const plain = await indexWorkspace(nodeFs, d, { mode: 'fast' });
    const r = counting(startReadAhead(WORKER, { scan: true, eager: true }));
    await new Promise((res) => setTimeout(res, 300)); // the worker's start-up, before the listings
    try {
      // On a busy machine the main thread may claim every chunk before the worker starts (it
      // failed once so in a full run): index again, with the worker warm, until it took part.
      for (let attempt = 1; ; attempt++) {
        const two = await indexWorkspace(nodeFs, d, { mode: 'fast', readAhead: r });
        assert.strictEqual(two.length, 2);
        assert.deepStrictEqual(view(two), view(plain));
        assert.ok(two[0].files.length + two[1].files.length > 700);
        assert.ok(two.some((s) => s.findings.some((f) => f.code === 'alembic/unreadable')), 'the binary file is reported');
        if (r.scanned > 0) break;
        assert.ok(attempt < 5, 'the worker scanned some of the files (in one of 5 indexings)');
      }
      // full mode: the worker only reads
      const full = await indexWorkspace(nodeFs, d, { mode: 'full', readAhead: r });
      assert.deepStrictEqual(view(full), view(await indexWorkspace(nodeFs, d, { mode: 'full' })));
    } finally {
      r.close();
    }
    // a worker that only reads (the default on fewer than four cores)
    const reader = counting(startReadAhead(WORKER, { scan: false }));
    try {
      assert.deepStrictEqual(view(await indexWorkspace(nodeFs, d, { mode: 'fast', readAhead: reader })), view(plain));
      assert.strictEqual(reader.scanned, 0);
    } finally {
      reader.close();
    }
  });

  it('one thread reading without promises (the disk) indexes exactly as with them (any other file system; full mode reads with them only)', async () => {
    const d = workspace();
    const promisesOnly: CoreFs = { ...nodeFs, readFileTransient: undefined };
    assert.deepStrictEqual(view(await indexWorkspace(nodeFs, d, { mode: 'fast' })), view(await indexWorkspace(promisesOnly, d, { mode: 'fast' })));
  });

  it('the worker alone: bytes byte for byte, summaries equal to this thread\'s, unreadable files without bytes', async () => {
    const d = tmpDir();
    writeTree(d, project(randomHistory(5, 300)));
    const dir = path.join(d, 'migrations', 'versions');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(dir, f));
    files.push(path.join(dir, 'gone.py'));
    const r = startReadAhead(WORKER, { scan: true });
    try {
      r.start(files, true);
      const got = new Map<number, Loaded>();
      const deadline = Date.now() + 15000;
      while (got.size < files.length && Date.now() < deadline) {
        for (const x of r.take()) got.set(x.i, x);
        await new Promise((res) => setTimeout(res, 5));
      }
      assert.strictEqual(got.size, files.length, 'the worker delivered every file');
      for (let i = 0; i < files.length - 1; i++) {
        const x = got.get(i)!;
        assert.ok(x.bytes && Buffer.from(x.bytes).equals(fs.readFileSync(files[i])), files[i]);
        const here = await loadScriptFile(nodeFs, files[i], 'fast');
        assert.ok(x.scanned, `scanned ${files[i]}`);
        assert.deepStrictEqual(x.scanned.summary, here.summary);
        assert.strictEqual(x.scanned.id, here.id);
      }
      assert.strictEqual(got.get(files.length - 1)!.bytes, undefined);
    } finally {
      r.close();
    }
  });

  it('without the worker file, or once closed, this thread loads everything', async () => {
    const d = workspace();
    const plain = view(await indexWorkspace(nodeFs, d, { mode: 'fast' }));
    const missing = startReadAhead(path.join(d, 'no-such-worker.js'));
    const closed = startReadAhead(WORKER);
    closed.close();
    for (const r of [missing, closed]) {
      assert.deepStrictEqual(view(await indexWorkspace(nodeFs, d, { mode: 'fast', readAhead: r })), plain);
      assert.strictEqual(r.alive(), false);
    }
  });

  it('a worker that dies holding claimed chunks: this thread loads them (fault injection)', async () => {
    const d = workspace();
    const dying = path.join(d, 'dying-worker.js');
    fs.writeFileSync(dying, `const { workerData } = require('worker_threads');
workerData.port.on('message', (job) => { Atomics.add(new Int32Array(job.counter), 0, job.chunk * 3); process.exit(1); });
`);
    const plain = await indexWorkspace(nodeFs, d, { mode: 'fast' });
    const r = startReadAhead(dying);
    try {
      const listing = plain[0].files.map((f) => f.path);
      // give the worker time to claim before this thread starts on the listing
      r.start(listing, true);
      await new Promise((res) => setTimeout(res, 300));
      const files = await loadListing(nodeFs, listing, 'fast', { ...r, start: () => undefined });
      assert.deepStrictEqual(files.map((f) => [f.path, f.id, summaryOf(f)]), plain[0].files.map((f) => [f.path, f.id, summaryOf(f)]));
      assert.strictEqual(r.alive(), false);
    } finally {
      r.close();
    }
  });
});
