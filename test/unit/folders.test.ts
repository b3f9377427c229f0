/**
 * Folders that appear or go away in one go (moved in, copied, checked out, removed): a file
 * watcher may report only the folder, never its files, so the language server's index searches
 * the folder itself. Real files on disk, the real WorkspaceIndex.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CoreFs, nodeFs } from '../../server/src/core';
import { DiskChange, mergeDiskChanges, WorkspaceIndex } from '../../server/src/lsp/workspace';
import { isWatchedFile, WATCHED_GLOBS } from '../../server/src/protocol';
import { cleanupTmp, migration, project, tmpDir, writeTree } from '../helpers';
import { forwardsFolder } from '../../client/src/features/folderRules';

after(cleanupTmp);

describe('folders that appear or go away', () => {
  let ws: WorkspaceIndex;
  let root: string;
  const ids = (): string[][] => ws.setups.map((s) => s.graph.nodes.size ? [...s.graph.nodes.keys()].sort() : []);
  const setupIds = (): string[] => ws.setups.map((s) => s.setup.id);

  /** Folders read (discovery walks the whole workspace; searching a new folder reads only it). */
  let dirReads = 0;
  const counting: CoreFs = { ...nodeFs, readDir: (p) => { dirReads++; return nodeFs.readDir(p); } };

  beforeEach(async () => {
    root = writeTree(tmpDir(), project([{ id: 'main0001' }, { id: 'main0002', down: 'main0001' }]));
    ws = new WorkspaceIndex(counting, () => [root], () => []);
    await ws.reindexAll();
  });

  it('a setup moved into the workspace is found, and the setups already there are not read again', async () => {
    const kept = ws.setups[0];
    const outside = writeTree(tmpDir(), project([{ id: 'svc00001' }], '[alembic]\nscript_location = migrations\n'));
    const dir = path.join(root, 'services', 'billing');
    fs.mkdirSync(path.dirname(dir));
    fs.renameSync(outside, dir);
    assert.strictEqual(await ws.diskChanged(dir, 'created'), true);
    assert.deepStrictEqual(setupIds(), ['alembic.ini#alembic', 'services/billing/alembic.ini#alembic']);
    assert.deepStrictEqual(ids(), [['main0001', 'main0002'], ['svc00001']]);
    assert.strictEqual(ws.setups[0], kept, 'the first setup was kept, not read again');
    // its subfolders report themselves too: nothing new there, nothing changes, nothing rediscovered
    const second = ws.setups[1];
    dirReads = 0;
    assert.strictEqual(await ws.diskChanged(path.join(dir, 'migrations'), 'created'), false);
    assert.strictEqual(await ws.diskChanged(path.join(dir, 'migrations', 'versions'), 'created'), false);
    assert.strictEqual(ws.setups[1], second);
    assert.ok(dirReads <= 4, `${dirReads} folders read`);
  });

  it('a folder with a pyproject.toml that does not configure Alembic is searched, not rediscovered', async () => {
    const dir = path.join(root, 'libs', 'util');
    writeTree(dir, { 'pyproject.toml': '[project]\nname = "util"\n', 'util/__init__.py': '' });
    dirReads = 0;
    assert.strictEqual(await ws.diskChanged(path.join(root, 'libs'), 'created'), false);
    assert.ok(dirReads <= 4, `${dirReads} folders read`);
  });

  it('a folder that holds the version folder of a setup already known: found, and that setup listed again', async () => {
    root = writeTree(tmpDir(), project([{ id: 'main0001' }], '[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/migrations/versions %(here)s/services/b/versions\n'));
    ws = new WorkspaceIndex(nodeFs, () => [root], () => []);
    await ws.reindexAll();
    const outside = writeTree(tmpDir(), {
      'pyproject.toml': '[tool.alembic]\nscript_location = "%(here)s/alembic"\n',
      'alembic/env.py': '# env\n',
      'alembic/versions/a_own00001.py': migration({ id: 'own00001' }),
      'versions/b_bbbb0001.py': migration({ id: 'bbbb0001', down: 'main0001' }),
    });
    fs.mkdirSync(path.join(root, 'services'));
    fs.renameSync(outside, path.join(root, 'services', 'b'));
    assert.strictEqual(await ws.diskChanged(path.join(root, 'services', 'b'), 'created'), true);
    assert.deepStrictEqual(setupIds(), ['alembic.ini#alembic', 'services/b/pyproject.toml#alembic']);
    assert.deepStrictEqual(ids(), [['bbbb0001', 'main0001'], ['own00001']]);
  });

  it('a setup whose script location was missing is read once that folder appears', async () => {
    root = writeTree(tmpDir(), { 'alembic.ini': '[alembic]\nscript_location = %(here)s/db/migrations\n' });
    ws = new WorkspaceIndex(nodeFs, () => [root], () => []);
    await ws.reindexAll();
    assert.ok(ws.setups[0].findings.some((f) => f.code === 'alembic/script-location-missing'));
    const outside = writeTree(tmpDir(), { 'migrations/env.py': '# env\n', 'migrations/versions/a_dbdb0001.py': migration({ id: 'dbdb0001' }) });
    fs.renameSync(outside, path.join(root, 'db'));
    assert.strictEqual(await ws.diskChanged(path.join(root, 'db'), 'created'), true);
    assert.ok(!ws.setups[0].findings.some((f) => f.code === 'alembic/script-location-missing'));
    assert.deepStrictEqual(ids(), [['dbdb0001']]);
  });

  it('an ancestor folder of a new setup reports it too (a folder created, then its files)', async () => {
    const dir = path.join(root, 'a', 'b');
    writeTree(dir, project([{ id: 'deep0001' }]));
    assert.strictEqual(await ws.diskChanged(path.join(root, 'a'), 'created'), true);
    assert.deepStrictEqual(setupIds(), ['a/b/alembic.ini#alembic', 'alembic.ini#alembic']);
  });

  it('a folder without Alembic files, a hidden or skipped folder, and a plain file change nothing', async () => {
    const before = ws.setups[0];
    writeTree(root, { 'docs/readme.md': 'x\n', 'node_modules/pkg/alembic.ini': '[alembic]\nscript_location = m\n', '.hidden/alembic.ini': '[alembic]\nscript_location = m\n', 'notes.txt': 'x' });
    fs.mkdirSync(path.join(root, 'node_modules/pkg/m/versions'), { recursive: true });
    for (const p of ['docs', 'node_modules/pkg', '.hidden', 'notes.txt', 'missing']) {
      assert.strictEqual(await ws.diskChanged(path.join(root, p), 'created'), false, p);
    }
    assert.strictEqual(ws.setups.length, 1);
    assert.strictEqual(ws.setups[0], before);
  });

  it('a setup folder removed in one go is gone; removing a folder that held no setup changes nothing', async () => {
    const dir = path.join(root, 'services', 'billing');
    writeTree(dir, project([{ id: 'svc00001' }]));
    await ws.diskChanged(dir, 'created');
    assert.strictEqual(ws.setups.length, 2);
    fs.rmSync(path.join(root, 'services'), { recursive: true });
    assert.strictEqual(await ws.diskChanged(path.join(root, 'docs'), 'deleted'), false);
    assert.strictEqual(await ws.diskChanged(path.join(root, 'services'), 'deleted'), true);
    assert.deepStrictEqual(setupIds(), ['alembic.ini#alembic']);
  });

  it('a version folder removed, or restored with its files, is listed again', async () => {
    const versions = path.join(root, 'migrations', 'versions');
    const aside = path.join(tmpDir(), 'versions');
    fs.renameSync(versions, aside);
    assert.strictEqual(await ws.diskChanged(versions, 'deleted'), true);
    assert.deepStrictEqual(ids(), [[]]);
    fs.renameSync(aside, versions);
    assert.strictEqual(await ws.diskChanged(versions, 'created'), true);
    assert.deepStrictEqual(ids(), [['main0001', 'main0002']]);
  });

  it('with recursive version locations, a subfolder of migrations moved in or out is listed again', async () => {
    root = writeTree(tmpDir(), project([{ id: 'base0001' }], '[alembic]\nscript_location = %(here)s/migrations\nrecursive_version_locations = true\n'));
    ws = new WorkspaceIndex(nodeFs, () => [root], () => []);
    await ws.reindexAll();
    const sub = path.join(root, 'migrations', 'versions', '2025');
    const outside = writeTree(tmpDir(), { 'a_sub00002.py': migration({ id: 'sub00002', down: 'base0001' }) });
    fs.renameSync(outside, sub);
    assert.strictEqual(await ws.diskChanged(sub, 'created'), true);
    assert.deepStrictEqual(ids(), [['base0001', 'sub00002']]);
    // __pycache__ appearing there (Alembic ran) is not a reason to list again
    fs.mkdirSync(path.join(sub, '__pycache__'));
    assert.strictEqual(await ws.diskChanged(path.join(sub, '__pycache__'), 'created'), false);
    // a hidden folder moved in: Alembic's recursive walk enters it, so do we
    const hidden = path.join(root, 'migrations', 'versions', '.archive');
    fs.renameSync(writeTree(tmpDir(), { 'a_hid00003.py': migration({ id: 'hid00003', down: 'sub00002' }) }), hidden);
    assert.strictEqual(await ws.diskChanged(hidden, 'created'), true);
    assert.deepStrictEqual(ids(), [['base0001', 'hid00003', 'sub00002']]);
    fs.rmSync(hidden, { recursive: true });
    assert.strictEqual(await ws.diskChanged(hidden, 'deleted'), true);
    fs.rmSync(sub, { recursive: true });
    assert.strictEqual(await ws.diskChanged(sub, 'deleted'), true);
    assert.deepStrictEqual(ids(), [['base0001']]);
  });
});

describe('file events from the editor (one watched-files notification)', () => {
  let root: string;
  let ws: WorkspaceIndex;
  const reads = new Map<string, number>();
  let dirReads = 0;
  const counting: CoreFs = {
    ...nodeFs,
    readFileTransient: undefined,
    readFile: (p) => { reads.set(p, (reads.get(p) ?? 0) + 1); return nodeFs.readFile(p); },
    readDir: (p) => { dirReads++; return nodeFs.readDir(p); },
  };
  const file = (name: string): string => path.join(root, 'migrations', 'versions', name);
  /** Migration files read (discovery also reads the ini and env.py). */
  const migrationReads = (): string[] => [...reads.keys()].filter((p) => path.dirname(p).endsWith('versions')).map((p) => path.basename(p));
  const graph = (): string[] => [...ws.setups[0].graph.nodes.values()].map((n) => `${n.down.join('+') || 'base'}->${n.id}`).sort();

  beforeEach(async () => {
    root = writeTree(tmpDir(), project([{ id: 'main0001' }, { id: 'main0002', down: 'main0001' }, { id: 'main0003', down: 'main0002' }]));
    ws = new WorkspaceIndex(counting, () => [root], () => []);
    await ws.reindexAll();
    reads.clear();
    dirReads = 0;
  });

  it('one entry per path: a path created then changed stays created, otherwise the last report wins, in the order of the last reports', () => {
    assert.deepStrictEqual(mergeDiskChanges([['a.py', 'changed'], ['b.py', 'created'], ['a.py', 'changed'], ['b.py', 'changed'], ['c.py', 'created'], ['c.py', 'deleted'], ['d.py', 'deleted'], ['d.py', 'created']]),
      [['a.py', 'changed'], ['b.py', 'created'], ['c.py', 'deleted'], ['d.py', 'created']]);
    // a folder deleted then created (replaced) keeps both, in order; created then deleted is deleted
    assert.deepStrictEqual(mergeDiskChanges([['v', 'deleted'], ['x.py', 'changed'], ['v', 'created'], ['w', 'created'], ['w', 'deleted'], ['u', 'deleted'], ['u', 'created'], ['u', 'deleted']]),
      [['x.py', 'changed'], ['v', 'deleted'], ['v', 'created'], ['w', 'deleted'], ['u', 'deleted']]);
  });

  /** Replaces the version folder in one go by a copy in which main0003 follows main0001; returns the folder. */
  const replaceVersions = (): string => {
    const versions = path.join(root, 'migrations', 'versions');
    const f = fs.readdirSync(versions).find((x) => x.includes('main0003'))!;
    const aside = writeTree(tmpDir(), Object.fromEntries(fs.readdirSync(versions).map((x) => [x, fs.readFileSync(path.join(versions, x), 'utf8')])));
    fs.writeFileSync(path.join(aside, f), migration({ id: 'main0003', down: 'main0001' }));
    fs.rmSync(versions, { recursive: true });
    fs.renameSync(aside, versions);
    return versions;
  };

  it('a version folder replaced in one go (deleted, then there again with other contents) is read again, each file once', async () => {
    const versions = replaceVersions();
    assert.strictEqual(await ws.disksChanged(mergeDiskChanges([[versions, 'deleted'], [versions, 'created']])), true);
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0001->main0003']);
    assert.strictEqual(migrationReads().length, 3);
    assert.ok([...reads.values()].every((n) => n === 1), `each read once: ${JSON.stringify([...reads])}`);
  });

  it('a file read in full before is compared in full when its folder is replaced: a syntax error in a function body is found', async () => {
    const versions = path.join(root, 'migrations', 'versions');
    const f = fs.readdirSync(versions).find((x) => x.includes('main0002'))!;
    const text = fs.readFileSync(path.join(versions, f), 'utf8');
    fs.writeFileSync(path.join(versions, f), `${text}# changed\n`);
    await ws.diskChanged(path.join(versions, f), 'changed'); // read in full (tree-sitter)
    const aside = writeTree(tmpDir(), Object.fromEntries(fs.readdirSync(versions).map((x) => [x, fs.readFileSync(path.join(versions, x), 'utf8')])));
    const broken = text.replace('op.create_table(', 'op.create_ta= =('); // brackets balanced: the fast tiers skip the body
    assert.notStrictEqual(broken, text);
    fs.writeFileSync(path.join(aside, f), broken);
    fs.rmSync(versions, { recursive: true });
    fs.renameSync(aside, versions);
    assert.strictEqual(await ws.disksChanged(mergeDiskChanges([[versions, 'deleted'], [versions, 'created']])), true);
    assert.ok(ws.setups[0].findings.some((x) => x.code === 'alembic/syntax-error' && x.path.endsWith(f)), JSON.stringify(ws.setups[0].findings));
  });

  it('a setup moved in is read once, though its folders are reported too', async () => {
    const outside = writeTree(tmpDir(), project([{ id: 'svc00001' }, { id: 'svc00002', down: 'svc00001' }], '[alembic]\nscript_location = migrations\n'));
    const dir = path.join(root, 'billing');
    fs.renameSync(outside, dir);
    assert.strictEqual(await ws.disksChanged([[dir, 'created'], [path.join(dir, 'migrations', 'versions'), 'created']]), true);
    assert.deepStrictEqual(ws.setups.map((x) => [...x.graph.nodes.keys()].sort()), [['main0001', 'main0002', 'main0003'], ['svc00001', 'svc00002']]);
    assert.strictEqual(migrationReads().length, 2);
    assert.ok([...reads.values()].every((n) => n === 1), `each read once: ${JSON.stringify([...reads])}`);
  });

  it('a version folder replaced in one go and reported only as created (VS Code merges the deletion into a change) is read again', async () => {
    const versions = replaceVersions();
    assert.strictEqual(await ws.diskChanged(versions, 'created'), true);
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0001->main0003']);
    // reported again with nothing changed: its files are read again and found as they were
    const before = ws.setups[0];
    assert.strictEqual(await ws.diskChanged(versions, 'created'), false);
    assert.strictEqual(ws.setups[0], before);
  });

  it('"changed" reported for files the index does not hold yet (an editor that writes new files in place): their setup is listed once', async () => {
    fs.writeFileSync(file('a_new00004.py'), migration({ id: 'new00004', down: 'main0003' }));
    fs.writeFileSync(file('a_new00005.py'), migration({ id: 'new00005', down: 'new00004' }));
    assert.strictEqual(await ws.disksChanged(mergeDiskChanges([[file('a_new00004.py'), 'changed'], [file('a_new00005.py'), 'changed']])), true);
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0002->main0003', 'main0003->new00004', 'new00004->new00005']);
    assert.strictEqual(dirReads, 1, 'the version folder listed once');
    assert.deepStrictEqual(migrationReads().sort(), ['a_new00004.py', 'a_new00005.py']);
    assert.ok([...reads.values()].every((n) => n === 1), `each read once: ${JSON.stringify([...reads])}`);
  });

  it('a file deleted and written again (a checkout) is read again, though its setup lists the same files', async () => {
    const f = fs.readdirSync(path.join(root, 'migrations', 'versions')).find((x) => x.includes('main0003'))!;
    fs.rmSync(file(f));
    fs.writeFileSync(file(f), migration({ id: 'main0003', down: 'main0001' }));
    assert.strictEqual(await ws.diskChanged(file(f), 'deleted'), true);
    // the deletion's listing already read the new text: read again, it is found as it was
    assert.strictEqual(await ws.diskChanged(file(f), 'created'), false);
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0001->main0003']);
    // the same as one notification
    fs.writeFileSync(file(f), migration({ id: 'main0003', down: 'main0002' }));
    assert.strictEqual(await ws.disksChanged(mergeDiskChanges([[file(f), 'deleted'], [file(f), 'created']])), true);
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0002->main0003']);
  });

  it('a file reported twice (once per matching watcher) is read once; new files of one burst list their setup once', async () => {
    const f = fs.readdirSync(path.join(root, 'migrations', 'versions')).find((x) => x.includes('main0002'))!;
    fs.writeFileSync(file(f), migration({ id: 'main0002', down: 'main0001', message: 'renamed' }));
    fs.writeFileSync(file('a_new00004.py'), migration({ id: 'new00004', down: 'main0003' }));
    fs.writeFileSync(file('a_new00005.py'), migration({ id: 'new00005', down: 'new00004' }));
    const burst: Array<[string, DiskChange]> = [[file(f), 'changed'], [file(f), 'changed'], [file('a_new00004.py'), 'created'], [file('a_new00005.py'), 'created'], [file('a_new00004.py'), 'created'], [file('a_new00005.py'), 'changed']];
    assert.strictEqual(await ws.disksChanged(mergeDiskChanges(burst)), true);
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0002->main0003', 'main0003->new00004', 'new00004->new00005']);
    assert.deepStrictEqual([...reads.values()], [1, 1, 1], `reads: ${JSON.stringify([...reads])}`);
    assert.strictEqual(dirReads, 1, 'the version folder listed once');
  });

  it('a config saved (reported twice) that leaves its setup as configured keeps what was read; a migration in the same notification is read; a setup configured differently is read again', async () => {
    const ini = path.join(root, 'alembic.ini');
    const f = fs.readdirSync(path.join(root, 'migrations', 'versions')).find((x) => x.includes('main0003'))!;
    fs.appendFileSync(ini, '\n# a comment\n');
    fs.writeFileSync(file(f), migration({ id: 'main0003', down: 'main0001' }));
    const before = ws.setups[0];
    assert.strictEqual(await ws.disksChanged(mergeDiskChanges([[ini, 'changed'], [file(f), 'changed'], [ini, 'changed']])), true);
    assert.deepStrictEqual(migrationReads(), [f], 'only the changed migration was read');
    assert.deepStrictEqual(graph(), ['base->main0001', 'main0001->main0002', 'main0001->main0003']);
    assert.strictEqual(ws.setups[0].setup, before.setup);
    // nothing at all changed: nothing to publish
    reads.clear();
    assert.strictEqual(await ws.diskChanged(ini, 'changed'), false);
    assert.deepStrictEqual(migrationReads(), []);
    // a setting that changes the setup: its files are read again
    fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace('[alembic]\n', '[alembic]\nrecursive_version_locations = true\n'));
    assert.strictEqual(await ws.diskChanged(ini, 'changed'), true);
    assert.strictEqual(migrationReads().length, 3, `reads: ${JSON.stringify([...reads])}`);
  });

  it('reading everything again (the Refresh command) sees a change no event reported', async () => {
    const f = fs.readdirSync(path.join(root, 'migrations', 'versions')).find((x) => x.includes('main0002'))!;
    fs.writeFileSync(file(f), migration({ id: 'main0002' }));
    assert.strictEqual(await ws.reindexAll(), true);
    assert.deepStrictEqual(graph(), ['base->main0001', 'base->main0002', 'main0002->main0003']);
    assert.strictEqual(migrationReads().length, 3);
  });
});

describe('watched files', () => {
  it('isWatchedFile says what the watched globs say (the folder watcher leaves those paths to the file watchers)', () => {
    // the globs' shapes: **/*.ext and **/name
    const byGlob = (p: string): boolean => WATCHED_GLOBS.some((g) => {
      const last = g.replace(/^\*\*\//, '');
      const base = p.split(/[\\/]/).pop()!;
      return last.startsWith('*.') ? base.endsWith(last.slice(1)) : base === last;
    });
    for (const p of ['/w/migrations/versions/a_1.py', '/w/alembic.ini', '/w/sub/pyproject.toml', 'C:\\w\\pyproject.toml', '/w/setup.cfg', '/w/a.pyc', '/w/x_pyproject.toml', '/w/migrations', '/w/ini']) {
      assert.strictEqual(isWatchedFile(p), byGlob(p), p);
    }
  });
});

describe('folder events the client forwards (forwardsFolder)', () => {
  const w = path.join(path.sep, 'w');
  const at = (...p: string[]): string => path.join(w, ...p);
  const setups = [
    { versionLocations: [at('migrations', 'versions')], recursiveVersionLocations: false },
    { versionLocations: [at('db', 'versions')], recursiveVersionLocations: true },
    { versionLocations: [at('.config', 'alembic', 'versions')], recursiveVersionLocations: false },
  ];
  const forwards = (...p: string[]): boolean => forwardsFolder(path.join(...p), at(...p), setups);

  it('any folder discovery enters; skipped and hidden ones only when they hold or lie in migrations', () => {
    assert.strictEqual(forwards('app'), true);
    assert.strictEqual(forwards('app', 'models'), true);
    assert.strictEqual(forwards('node_modules'), false);
    assert.strictEqual(forwards('.git'), false);
    assert.strictEqual(forwards('app', '__pycache__'), false);
    // a hidden folder that holds (or is) a setup's version folder
    assert.strictEqual(forwards('.config'), true);
    assert.strictEqual(forwards('.config', 'alembic', 'versions'), true);
    // inside a version folder Alembic walks recursively: its walk enters hidden and skipped names
    assert.strictEqual(forwards('db', 'versions', '.archive'), true);
    assert.strictEqual(forwards('db', 'versions', '.archive', 'node_modules'), true);
    // inside a version folder that is not walked recursively: Alembic never looks there
    assert.strictEqual(forwards('migrations', 'versions', '.archive'), false);
    assert.strictEqual(forwards('migrations', 'versions', '__pycache__'), false);
    // a sibling whose name starts like a version folder is not in it
    assert.strictEqual(forwards('db', 'versions.bak', '.x'), false);
    assert.strictEqual(forwards('.config2'), false);
    // the workspace folder itself (replaced as a whole) holds the version folders; a folder outside holds none
    assert.strictEqual(forwardsFolder('', w, setups), true);
    assert.strictEqual(forwardsFolder(path.join('..', 'elsewhere'), path.join(path.sep, 'elsewhere'), setups), false);
    assert.strictEqual(forwardsFolder('.hidden', at('.hidden'), []), false, 'no setups known yet');
  });
});
