/**
 * Our graph against the real Alembic (Debian's python3-alembic), on the same files:
 * heads, bases, branch points, parents, labels, `alembic history` order, and the steps of
 * upgrade/downgrade walks. Fixtures: one per rule (test/fixtures/histories.ts) and seeded
 * random histories with branches, merges, labels, depends_on and several bases.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { indexWorkspace, nodeFs, SetupIndex } from '../../server/src/core';
import { summaryOf } from '../../server/src/core/scriptFile';
import { downgradeSteps, historyOrder, resolve, upgradeSteps } from '../../server/src/core/graph/walk';
import { HISTORIES } from '../fixtures/histories';
import { cleanupTmp, project, randomHistory, rng, Rev, tmpDir, writeTree } from '../helpers';
import { findPython } from '../python';

after(cleanupTmp);

interface WalkQuery { kind: 'upgrade' | 'downgrade' | 'resolve'; current: string[]; target: string }
interface Oracle {
  heads: { code: number; out: string; err: string; warnings: string[] };
  branches: { code: number; out: string };
  history: { code: number; out: string; err: string };
  revisions: Record<string, { down: string[]; labels: string[]; next: string[]; deps: string[]; doc: string }> | null;
  heads_api?: string[];
  bases_api?: string[];
  load_error?: string;
  walks: { walk: WalkQuery; steps?: string[]; ids?: string[]; error?: string }[];
}

const ORACLE = path.resolve(__dirname, '../../../test/conformance/oracle.py');

function oracle(dir: string, walks: WalkQuery[] = []): Oracle {
  const r = spawnSync(findPython(), [ORACLE, dir, JSON.stringify(walks)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const idsOf = (out: string, re: RegExp): string[] => out.split('\n').map((l) => re.exec(l)?.[1]).filter((x): x is string => !!x);

async function ours(revs: Rev[]): Promise<{ dir: string; ix: SetupIndex }> {
  const dir = writeTree(tmpDir(), project(revs));
  const [ix] = await indexWorkspace(nodeFs, dir);
  return { dir, ix };
}

function compareGraph(ix: SetupIndex, o: Oracle): void {
  const g = ix.graph;
  assert.ok(!o.load_error, `Alembic failed to load: ${o.load_error}`);
  assert.strictEqual(o.heads.code, 0, o.heads.err);
  assert.deepStrictEqual(g.heads, o.heads_api, 'heads (order too)');
  assert.deepStrictEqual([...g.heads].sort(), idsOf(o.heads.out, /^(\S+)/).sort(), '`alembic heads` output');
  assert.deepStrictEqual(g.bases, o.bases_api, 'bases');
  const branchPoints = g.order.filter((id) => g.nodes.get(id)!.isBranchPoint).sort();
  assert.deepStrictEqual(branchPoints, idsOf(o.branches.out, /^(\S+) /).sort(), '`alembic branches`');
  assert.deepStrictEqual(historyOrder(g), idsOf(o.history.out, /-> ([^\s,]+)/), '`alembic history` order');
  const revs = o.revisions!;
  assert.deepStrictEqual([...g.order].sort(), Object.keys(revs).sort(), 'same revisions');
  for (const [id, r] of Object.entries(revs)) {
    const n = g.nodes.get(id)!;
    assert.deepStrictEqual(n.down, r.down, `parents of ${id}`);
    assert.deepStrictEqual([...n.next].sort(), r.next, `children of ${id}`);
    assert.deepStrictEqual([...n.labels].sort(), r.labels, `branch labels of ${id}`);
    assert.deepStrictEqual([...n.resolvedDeps].sort(), r.deps, `depends_on of ${id}`);
  }
}

function compareWalks(ix: SetupIndex, o: Oracle): number {
  let compared = 0;
  for (const w of o.walks) {
    const q = w.walk;
    const mine = q.kind === 'upgrade' ? upgradeSteps(ix.graph, q.current, q.target)
      : q.kind === 'downgrade' ? downgradeSteps(ix.graph, q.current, q.target)
        : resolve(ix.graph, q.target, q.current);
    const label = `${q.kind} ${q.target} from [${q.current.join(', ')}]`;
    if (w.error) {
      assert.ok('error' in mine, `${label}: Alembic refuses (${w.error}); we returned ${JSON.stringify(mine)}`);
    } else {
      assert.ok(!('error' in mine), `${label}: we refused (${'error' in mine ? mine.error : ''}) but Alembic gave ${JSON.stringify(w.steps ?? w.ids)}`);
      if (q.kind === 'resolve') assert.deepStrictEqual((mine as { ids: string[] }).ids, w.ids, label);
      else assert.deepStrictEqual((mine as { steps: string[] }).steps, w.steps, label);
    }
    compared++;
  }
  return compared;
}

/** Walk queries that exercise merges, branches and partial states. */
function walkQueries(ix: SetupIndex, seed: number): WalkQuery[] {
  const g = ix.graph;
  const r = rng(seed);
  const pick = (): string => g.order[Math.floor(r() * g.order.length)];
  const q: WalkQuery[] = [
    { kind: 'upgrade', current: [], target: 'heads' },
    { kind: 'downgrade', current: g.heads, target: 'base' },
    { kind: 'resolve', current: [], target: 'heads' },
  ];
  if (!g.order.length) return q;
  for (let i = 0; i < 4; i++) {
    const a = pick();
    q.push({ kind: 'upgrade', current: [a], target: 'heads' });
    q.push({ kind: 'upgrade', current: [], target: a });
    q.push({ kind: 'downgrade', current: g.heads, target: a });
    q.push({ kind: 'resolve', current: [], target: a.slice(0, 6) });
    q.push({ kind: 'upgrade', current: [a], target: '+1' });
    q.push({ kind: 'downgrade', current: [a], target: '-1' });
    q.push({ kind: 'upgrade', current: [], target: `${a}+1` });
  }
  const labels = [...g.labels.keys()];
  if (labels.length) {
    q.push({ kind: 'resolve', current: [], target: `${labels[0]}@head` });
    q.push({ kind: 'upgrade', current: [], target: `${labels[0]}@head` });
  }
  return q;
}

describe('conformance with real Alembic', function () {
  before(function () {
    const py = findPython();
    const v = spawnSync(py, ['-c', 'import alembic; print(alembic.__version__)'], { encoding: 'utf8' });
    console.log(`      oracle: ${py}, alembic ${v.stdout.trim()}`);
  });

  describe('fixtures (one per rule)', () => {
    for (const fx of HISTORIES) {
      const clean = fx.alembic === 'ok' && !fx.expect.some((c) => ['alembic/non-literal', 'alembic/empty-down-revision', 'alembic/duplicate-revision', 'alembic/cycle'].includes(c));
      it(`${fx.name} (${clean ? 'same graph and walks' : fx.alembic === 'fails' ? 'Alembic fails, we report an error' : 'documented difference'})`, async () => {
        const { dir, ix } = await ours(fx.revs);
        const o = oracle(dir, clean ? walkQueries(ix, 1) : []);
        if (clean) {
          compareGraph(ix, o);
          compareWalks(ix, o);
        } else if (fx.alembic === 'fails') {
          const failed = !!o.load_error || o.heads.code !== 0 || o.history.code !== 0;
          assert.ok(failed, `Alembic was expected to fail on "${fx.name}"`);
          assert.ok(ix.findings.some((f) => f.severity === 'error'), 'we report an error');
          assert.ok(ix.graph.order.length > 0 || fx.revs.length <= 1, 'and still show the rest of the graph');
        } else if (fx.name === 'duplicate revision id') {
          assert.ok(o.heads.warnings.some((w) => /present more than once/.test(w)), 'Alembic warns');
          assert.strictEqual(o.revisions!.twin0002.down[0], 'root0001');
        } else if (fx.name === 'empty string down_revision') {
          // Alembic 1.8 treats '' as a base; newest Alembic as a missing parent ''. We follow the newest.
          assert.deepStrictEqual(o.bases_api, ['empty001']);
          assert.deepStrictEqual(ix.graph.bases, []);
        } else if (fx.name === 'non-literal down_revision') {
          // Alembic runs the code; we do not guess: the file is left out and flagged.
          assert.deepStrictEqual(o.heads_api, ['comp0002']);
          assert.ok(!ix.graph.nodes.has('comp0002'));
        } else if (fx.name === 'cycle reachable from the base') {
          // Alembic 1.8 does not notice this cycle when loading; we report it before upgrade loops.
          assert.strictEqual(o.heads.code, 0);
          assert.ok(ix.findings.some((f) => f.code === 'alembic/cycle'));
        } else {
          assert.fail(`no comparison written for ${fx.name}`);
        }
      });
    }
  });

  describe('seeded random histories', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    for (const seed of seeds) {
      const size = 60 + ((seed * 37) % 5) * 70;
      it(`seed ${seed}: ${size} revisions`, async () => {
        const revs = randomHistory(seed, size);
        const { dir, ix } = await ours(revs);
        assert.deepStrictEqual(ix.findings.filter((f) => f.severity === 'error'), [], 'a valid history has no errors');
        const o = oracle(dir, walkQueries(ix, seed));
        compareGraph(ix, o);
        assert.ok(compareWalks(ix, o) >= 20);
      });
    }
  });
});

describe('what Alembic reads of each file', () => {
  it('the message (Script.doc) of every revision and no false error, with LF, CR LF (a Windows checkout), lone CR (old Mac) and CR CR LF line ends', async () => {
    const revs: Rev[] = randomHistory(3, 40).map((r, i) => ({ ...r, message: i % 3 ? `step ${i}` : `step ${i}\n\nmore about step ${i}` }));
    for (const eol of ['\n', '\r\n', '\r', '\r\r\n']) {
      const dir = writeTree(tmpDir(), project(revs));
      const versions = path.join(dir, 'migrations', 'versions');
      for (const f of fs.readdirSync(versions)) fs.writeFileSync(path.join(versions, f), fs.readFileSync(path.join(versions, f), 'utf8').replace(/\n/g, eol));
      const o = oracle(dir);
      for (const mode of ['fast', 'full'] as const) {
        const [ix] = await indexWorkspace(nodeFs, dir, { mode });
        const label = `${JSON.stringify(eol)}, ${mode} read`;
        assert.deepStrictEqual(ix.findings.filter((f) => f.severity === 'error'), [], label);
        compareGraph(ix, o);
        const mine = Object.fromEntries(ix.files.map((f) => [f.id, summaryOf(f).message]));
        assert.deepStrictEqual(mine, Object.fromEntries(Object.entries(o.revisions!).map(([id, r]) => [id, r.doc])), label);
      }
    }
  });
});

describe('files we write are accepted by real Alembic', () => {
  it('the merge revision of the "merge the heads" quick fix merges the heads', async () => {
    const { mergeRevisionFile } = await import('../../server/src/core/templates');
    const { dir, ix } = await ours([{ id: 'root0001' }, { id: 'left0002', down: 'root0001' }, { id: 'rght0003', down: 'root0001' }]);
    const m = mergeRevisionFile({ folder: ix.setup.versionLocations[0], id: 'abcdef012345', heads: ix.graph.heads, message: 'merge heads', date: '2024-05-01 12:00:00.000000' });
    require('fs').writeFileSync(m.path, m.text);
    const o = oracle(dir);
    assert.deepStrictEqual(o.heads_api, ['abcdef012345']);
    assert.deepStrictEqual(o.revisions!.abcdef012345.down, ['left0002', 'rght0003']);
  });
});
