/**
 * Incremental graph updates (language-server edits) must give exactly what a rebuild gives:
 * differential tests over random histories and random edits of one revision's links.
 */
import * as assert from 'assert';
import { buildGraph, RevisionGraph, RevisionInput } from '../../server/src/core/graph/graph';
import { updateRevision } from '../../server/src/core/graph/update';
import { withinDistance } from '../../server/src/core/diagnostics/diagnostics';
import { ancestors, historyOrder, reachLimit, topologicalSort } from '../../server/src/core/graph/walk';
import { analyzeSetup, reanalyzeFile, scriptFromText } from '../../server/src/core/project';
import { initPythonParser } from '../../server/src/core/python/parser';
import type { Setup } from '../../server/src/core/config/setup';
import { migration, randomHistory, Rev, rng } from '../helpers';

before(() => initPythonParser());

function inputs(revs: Rev[]): RevisionInput[] {
  const list = (v: string | string[] | null | undefined): string[] => (v === undefined || v === null ? [] : typeof v === 'string' ? [v] : v);
  return revs.map((r, key) => ({ id: r.id, down: list(r.down), dependsOn: list(r.deps), branchLabels: list(r.labels), key }));
}

/** Everything a graph says, in a comparable form (orders included). */
function snapshot(g: RevisionGraph): object {
  return {
    order: g.order, heads: g.heads, bases: g.bases, realHeads: g.realHeads, realBases: g.realBases,
    labels: [...g.labels], problems: g.problems,
    nodes: g.order.map((id) => {
      const n = g.nodes.get(id)!;
      return {
        id, key: n.key, down: n.down, dependsOn: n.dependsOn, resolvedDeps: n.resolvedDeps, normalizedDeps: n.normalizedDeps,
        ownLabels: n.ownLabels, labels: n.labels, next: n.next, allNext: n.allNext,
        flags: [n.isHead, n.isRealHead, n.isBase, n.isBranchPoint, n.isMergePoint],
      };
    }),
    history: g.problems.some((p) => p.kind === 'cycle' || p.kind === 'dependency-cycle') ? [] : historyOrder(g),
  };
}

/** A random new value for one revision's down_revision / depends_on. */
function randomEdit(r: () => number, ins: RevisionInput[], i: number): RevisionInput {
  const pick = (): string => {
    const x = r();
    if (x < 0.08) return 'missing' + Math.floor(r() * 3);
    if (x < 0.12) return ins[i].id; // self-loop
    const labels = ins.flatMap((v) => v.branchLabels);
    if (x < 0.2 && labels.length) return labels[Math.floor(r() * labels.length)];
    if (x < 0.24) return ins[Math.min(ins.length - 1, i + 1 + Math.floor(r() * 5))].id; // above: may close a cycle
    return ins[Math.floor(r() * Math.max(1, i))].id; // below: no cycle
  };
  const n = r() < 0.15 ? 0 : r() < 0.75 ? 1 : 2;
  const down = Array.from({ length: n }, pick);
  const dependsOn = r() < 0.7 ? ins[i].dependsOn : r() < 0.5 ? [] : Array.from({ length: 1 + Math.floor(r() * 2) }, pick);
  return { ...ins[i], down, dependsOn };
}

describe('incremental graph update', () => {
  it('gives what a rebuild gives, or declines (random histories, random edits, chains of edits)', () => {
    let applied = 0;
    let declined = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed * 7);
      let ins = inputs(randomHistory(seed, 30 + Math.floor(r() * 50)));
      let g = buildGraph(ins);
      for (let e = 0; e < 25; e++) {
        const i = Math.floor(r() * ins.length);
        const next = randomEdit(r, ins, i);
        const after = ins.slice();
        after[i] = next;
        const want = buildGraph(after);
        if (r() < 0.3) void g.nodes.get(ins[0].id)!.labels; // derived parts sometimes read in between
        if (updateRevision(g, ins[i], next)) {
          applied++;
          assert.deepStrictEqual(snapshot(g), snapshot(want), `seed ${seed} edit ${e} of ${ins[i].id}: ${JSON.stringify(next)}`);
        } else {
          declined++;
          g = want;
        }
        ins = after;
      }
    }
    assert.ok(applied > 400, `only ${applied} edits applied incrementally (${declined} declined)`);
  });

  it('declines other ids, other branch labels and duplicates', () => {
    const ins: RevisionInput[] = [
      { id: 'a', down: [], dependsOn: [], branchLabels: [], key: 0 },
      { id: 'b', down: ['a'], dependsOn: [], branchLabels: ['x'], key: 1 },
      { id: 'c', down: ['b'], dependsOn: [], branchLabels: [], key: 2 },
      { id: 'c', down: ['a'], dependsOn: [], branchLabels: [], key: 3 },
    ];
    const g = buildGraph(ins);
    assert.strictEqual(updateRevision(g, ins[1], { ...ins[1], id: 'b2' }), false);
    assert.strictEqual(updateRevision(g, ins[1], { ...ins[1], branchLabels: [] }), false);
    assert.strictEqual(updateRevision(g, ins[3], { ...ins[3], down: ['b'] }), false);
    assert.strictEqual(updateRevision(g, ins[2], { ...ins[2], down: ['a'] }), false); // shadowed by the later file
    assert.deepStrictEqual(snapshot(g), snapshot(buildGraph(ins)));
  });

  it('reanalyzeFile: findings after edits equal a fresh analysis', () => {
    const revs = randomHistory(5, 60);
    const setup = { id: 's', kind: 'ini', section: 'alembic', versionLocations: [], findings: [], cwd: '/p' } as unknown as Setup;
    const fileOf = (r: Rev, i: number) => scriptFromText(`/p/versions/${i}.py`, migration(r));
    let ix = analyzeSetup(setup, revs.map(fileOf));
    const r = rng(3);
    for (let e = 0; e < 60; e++) {
      const i = Math.floor(r() * revs.length);
      const x = r();
      const down = x < 0.2 ? 'gone' + e : x < 0.3 ? null : x < 0.4 ? [revs[0].id, revs[Math.floor(r() * revs.length)].id] : revs[Math.floor(r() * revs.length)].id;
      revs[i] = { ...revs[i], down, message: r() < 0.2 ? `changed ${e}` : revs[i].message };
      ix = reanalyzeFile(ix, i, fileOf(revs[i], i));
      const fresh = analyzeSetup(setup, revs.map(fileOf));
      assert.deepStrictEqual(ix.findings, fresh.findings, `edit ${e}`);
      assert.deepStrictEqual(snapshot(ix.graph), snapshot(fresh.graph), `edit ${e}`);
    }
  });
});

describe('typo candidates', () => {
  it('withinDistance agrees with a plain edit distance', () => {
    const plain = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      return d[a.length][b.length];
    };
    const r = rng(17);
    const word = (): string => Array.from({ length: 3 + Math.floor(r() * 8) }, () => 'abc'[Math.floor(r() * 3)]).join('');
    for (let k = 0; k < 3000; k++) {
      const a = word();
      const b = r() < 0.5 ? word() : a.slice(0, Math.floor(r() * a.length)) + word().slice(0, 2) + a.slice(Math.floor(r() * a.length));
      for (const max of [0, 1, 2, 3]) assert.strictEqual(withinDistance(a, b, max), plain(a, b) <= max, `${a} ${b} ${max}`);
    }
  });
});

describe('history order', () => {
  /** Alembic's _topological_sort as written there: one ancestor set per current head. */
  function reference(g: RevisionGraph, revisions: Set<string>, heads: string[]): string[] {
    const pos = new Map(g.order.map((id, i) => [id, i]));
    const down = (id: string): string[] => { const n = g.nodes.get(id)!; return n.normalizedDeps.length ? [...new Set([...n.down, ...n.normalizedDeps])] : n.down; };
    const anc = (id: string): Set<string> => {
      const seen = new Set<string>();
      const todo = [id];
      while (todo.length) { const x = todo.pop()!; if (seen.has(x) || !g.nodes.has(x)) continue; seen.add(x); todo.push(...down(x)); }
      return seen;
    };
    const todo = new Set(revisions);
    const current = [...new Set(heads.filter((h) => todo.has(h)))].sort((a, b) => pos.get(a)! - pos.get(b)!);
    const sets = current.map(anc);
    const out: string[] = [];
    let idx = 0;
    while (current.length) {
      const cand = current[idx];
      const blocker = sets.findIndex((s, j) => j !== idx && s.has(cand));
      if (blocker >= 0) { idx = blocker; continue; }
      if (todo.delete(cand)) out.push(cand);
      const n = g.nodes.get(cand)!;
      const add = down(cand).filter((r) => todo.has(r) && !current.includes(r));
      if (!add.length) { current.splice(idx, 1); sets.splice(idx, 1); idx = Math.max(idx - 1, 0); }
      else if (!n.normalizedDeps.length && n.down.length === 1) { current[idx] = add[0]; sets[idx].delete(cand); }
      else { current[idx] = add[0]; sets[idx] = anc(add[0]); for (const h of add.slice(1)) { current.push(h); sets.push(anc(h)); } }
    }
    return out;
  }

  for (const [how, entries] of [['reach table', reachLimit.entries], ['search (table too large)', 0]] as const) {
    it(`equals the ancestor-set algorithm on random histories (whole history and partial walks; ${how})`, () => {
      const saved = reachLimit.entries;
      reachLimit.entries = entries;
      try {
        for (let seed = 1; seed <= 80; seed++) {
          const ins = inputs(randomHistory(seed, 20 + seed * 3));
          // some histories cut in parts by missing parents (several components, as in a bad rebase)
          if (seed % 2) for (let k = 0; k < 3; k++) ins[Math.floor(ins.length * (k + 1) / 4)].down = [`gone${k}`];
          const g = buildGraph(ins);
          if (g.problems.some((p) => p.kind === 'cycle' || p.kind === 'dependency-cycle')) continue;
          assert.deepStrictEqual(historyOrder(g), reference(g, ancestors(g, g.heads), g.heads), `seed ${seed}`);
          const r = rng(seed);
          for (let k = 0; k < 5; k++) {
            const from = g.order[Math.floor(r() * g.order.length)];
            const to = g.heads[Math.floor(r() * g.heads.length)];
            const set = new Set([...ancestors(g, [to])].filter((x) => !ancestors(g, [from]).has(x)));
            assert.deepStrictEqual(topologicalSort(g, set, [to]), reference(g, set, [to]), `seed ${seed} ${from}..${to}`);
          }
        }
      } finally {
        reachLimit.entries = saved;
      }
    });
  }
});
