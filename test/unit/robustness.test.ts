import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { indexWorkspace, nodeFs } from '../../server/src/core';
import type { CoreFs } from '../../server/src/core/types';
import { cleanupTmp, migration, project, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

const good = [{ id: 'root0001' }, { id: 'next0002', down: 'root0001' }];

async function indexWith(extra: Record<string, string | Uint8Array>, fsImpl: CoreFs = nodeFs) {
  const d = writeTree(tmpDir(), { ...project(good), ...extra });
  const [ix] = await indexWorkspace(fsImpl, d);
  return { ix, d };
}

describe('bad input never stops the index', () => {
  it('binary file', async () => {
    const { ix } = await indexWith({ 'migrations/versions/blob.py': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]) });
    assert.deepStrictEqual(ix.graph.heads, ['next0002']);
    assert.ok(ix.findings.some((f) => f.code === 'alembic/unreadable' && /NUL/.test(f.message)));
  });

  it('non-UTF-8 file', async () => {
    const { ix } = await indexWith({ 'migrations/versions/latin1.py': Buffer.from('revision = "caf\xe9"\n', 'latin1') });
    assert.deepStrictEqual(ix.graph.heads, ['next0002']);
    assert.ok(ix.findings.some((f) => f.code === 'alembic/unreadable' && /UTF-8/.test(f.message)));
  });

  it('a 50 MB file', async () => {
    const big = migration({ id: 'huge0003', down: 'next0002' }) + ('# ' + 'x'.repeat(98) + '\n').repeat(500_000);
    const t0 = Date.now();
    const { ix } = await indexWith({ 'migrations/versions/huge.py': big });
    assert.deepStrictEqual(ix.graph.heads, ['huge0003']);
    assert.ok(ix.findings.some((f) => f.code === 'alembic/large-file'));
    assert.ok(Date.now() - t0 < 15000, 'stays fast');
  });

  it('unreadable file (fault injected: root reads everything), read with and without promises', async () => {
    const denied = (): Error => Object.assign(new Error('EACCES'), { code: 'EACCES' });
    const failing: CoreFs = {
      ...nodeFs,
      readFile: (p) => (p.endsWith('locked.py') ? Promise.reject(denied()) : nodeFs.readFile(p)),
      readFileTransient: (p) => { if (p.endsWith('locked.py')) throw denied(); return nodeFs.readFileTransient!(p); },
    };
    const { d } = await indexWith({ 'migrations/versions/locked.py': migration({ id: 'lock0003', down: 'next0002' }) }, failing);
    for (const mode of ['fast', 'full'] as const) {
      const [ix] = await indexWorkspace(failing, d, { mode });
      assert.deepStrictEqual(ix.graph.heads, ['next0002'], mode);
      assert.ok(ix.findings.some((f) => f.code === 'alembic/unreadable' && /EACCES/.test(f.message)), mode);
    }
  });

  it('symlink loops in the workspace and in version folders', async () => {
    const d = writeTree(tmpDir(), { ...project(good), 'alembic.ini': '[alembic]\nscript_location = migrations\nrecursive_version_locations = true\n' });
    fs.symlinkSync(d, path.join(d, 'loop'));
    fs.symlinkSync(path.join(d, 'migrations/versions'), path.join(d, 'migrations/versions/self'));
    fs.symlinkSync(path.join(d, 'nowhere'), path.join(d, 'migrations/versions/dangling.py'));
    const ix = await indexWorkspace(nodeFs, d);
    assert.strictEqual(ix.length, 1);
    assert.deepStrictEqual(ix[0].graph.heads, ['next0002']);
  });

  it('empty folders and a workspace with nothing in it', async () => {
    assert.deepStrictEqual(await indexWorkspace(nodeFs, tmpDir()), []);
    const d = writeTree(tmpDir(), { 'alembic.ini': '[alembic]\nscript_location = m\n', 'm/env.py': '' });
    fs.mkdirSync(path.join(d, 'm/versions'));
    const [ix] = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual([ix.graph.order, ix.findings], [[], []]);
  });

  it('an ini with broken interpolation still yields the other sections', async () => {
    const d = writeTree(tmpDir(), {
      'alembic.ini': '[alembic]\nscript_location = %(oops)s\n[db2]\nscript_location = m\n', 'm/env.py': '', 'm/versions/a.py': migration({ id: 'aaaa0001' }),
    });
    const ix = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(ix.map((x) => x.graph.heads), [[], ['aaaa0001']]);
  });

  it('garbage Python everywhere still gives findings, not exceptions', async () => {
    const junk: Record<string, string> = {};
    const samples = ['def', '"""', "revision = '", 'revision = (', ')))(((', 'revision = b"x"', 'revision = None\ndown_revision = None', '\u0000'.slice(1) + 'class X:\n', 'revision = ["a", "b"]\ndown_revision = None'];
    samples.forEach((s, i) => (junk[`migrations/versions/j${i}.py`] = s));
    const { ix } = await indexWith(junk);
    assert.deepStrictEqual(ix.graph.heads, ['next0002']);
    assert.ok(ix.findings.length >= samples.length);
  });
});
