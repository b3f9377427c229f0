/**
 * One revision's down_revision / depends_on changed (an edit in the language server): the graph
 * is updated in place instead of rebuilt — the revision's links, its old and new parents' links
 * and flags, the head and base lists, its own problems. What needs the whole graph (normalized
 * dependencies, propagated labels) is marked stale and derived again on its next read.
 *
 * It answers false, and changes nothing, whenever it could not be exact: another id or other
 * branch labels, a revision involved in a duplicate, a graph with a cycle, or an edit that would
 * close one. The caller then rebuilds with buildGraph (which is the definition; tests compare).
 */
import { dedupe, GraphProblem, Node, RevisionGraph, RevisionInput } from './graph';

/** Problems that belong to one revision, recomputed when that revision changes. */
type OwnProblem = Extract<GraphProblem, { kind: 'self-loop' | 'missing-parent' | 'missing-dependency' }>;

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function updateRevision(graph: RevisionGraph, before: RevisionInput, after: RevisionInput): boolean {
  const x = graph.nodes.get(after.id) as Node | undefined;
  if (!x || before.id !== after.id || before.key !== after.key || x.key !== after.key) return false;
  if (!sameList(dedupe(before.branchLabels), dedupe(after.branchLabels))) return false;
  for (const p of graph.problems) {
    if (p.kind === 'cycle' || p.kind === 'dependency-cycle') return false;
    if (p.kind === 'duplicate' && p.id === after.id) return false;
  }
  const id = after.id;
  const own: OwnProblem[] = [];
  let down = dedupe(after.down);
  let deps = dedupe(after.dependsOn.filter((d) => d !== ''));
  if (down.includes(id)) {
    own.push({ kind: 'self-loop', id, key: x.key, via: 'down_revision' });
    down = down.filter((d) => d !== id);
  }
  if (deps.includes(id)) {
    own.push({ kind: 'self-loop', id, key: x.key, via: 'depends_on' });
    deps = deps.filter((d) => d !== id);
  }
  const resolved: string[] = [];
  const missingDeps: OwnProblem[] = [];
  for (const d of deps) {
    const target = graph.nodes.has(d) ? d : graph.labels.get(d);
    if (target === undefined) missingDeps.push({ kind: 'missing-dependency', id, key: x.key, dependency: d });
    else if (target !== id && !resolved.includes(target)) resolved.push(target);
  }
  const parents = down.filter((d) => graph.nodes.has(d));
  const missingParents: OwnProblem[] = down.filter((d) => !graph.nodes.has(d)).map((parent) => ({ kind: 'missing-parent', id, key: x.key, parent }));

  // A new link to a revision above this one would close a cycle: leave that to buildGraph. A
  // target ranked lower (topologically) than x cannot be above it; others need a search.
  const linked = new Set([...x.down, ...x.resolvedDeps]);
  const ranks = x.derived.rank();
  const rx = ranks.get(id)!;
  const against = [...parents, ...resolved].filter((t) => !linked.has(t) && ranks.get(t)! > rx);
  if (against.length) {
    const up = above(graph, x);
    if (against.some((t) => up.has(t))) return false;
    x.derived.ranks = undefined; // still acyclic, but this order no longer fits the links
  }

  // unlink from the old parents and dependencies, link to the new ones (children in load order)
  const pos = x.derived.positions();
  const touched = new Set<Node>();
  for (const t of linked) {
    const p = graph.nodes.get(t) as Node | undefined;
    if (!p) continue;
    p.next = p.next.filter((c) => c !== id);
    p.allNext = p.allNext.filter((c) => c !== id);
    touched.add(p);
  }
  /** Inserts an id into a list kept in load order. */
  const insert = (list: string[], v: string = id): void => {
    const at = pos.get(v)!;
    let i = list.length;
    while (i > 0 && pos.get(list[i - 1])! > at) i--;
    list.splice(i, 0, v);
  };
  // (new arrays: a payload built earlier may still hold the old ones)
  for (const t of parents) {
    const p = graph.nodes.get(t) as Node;
    insert((p.next = p.next.slice()));
    insert((p.allNext = p.allNext.slice()));
    touched.add(p);
  }
  for (const t of resolved) {
    const p = graph.nodes.get(t) as Node;
    if (!p.allNext.includes(id)) insert((p.allNext = p.allNext.slice()));
    touched.add(p);
  }
  const toggle = (list: string[], n: Node, on: boolean): string[] => {
    if (on === list.includes(n.id)) return list;
    if (!on) return list.filter((v) => v !== n.id);
    const out = list.slice();
    insert(out, n.id);
    return out;
  };
  for (const p of touched) {
    p.isHead = p.next.length === 0;
    p.isRealHead = p.allNext.length === 0;
    p.isBranchPoint = p.next.length > 1;
    graph.heads = toggle(graph.heads, p, p.isHead);
    graph.realHeads = toggle(graph.realHeads, p, p.isRealHead);
  }
  x.down = down;
  x.dependsOn = deps;
  x.resolvedDeps = resolved;
  x.isBase = down.length === 0;
  x.isMergePoint = down.length > 1;
  graph.bases = toggle(graph.bases, x, x.isBase);
  graph.realBases = toggle(graph.realBases, x, x.isBase && deps.length === 0);
  graph.problems = reorderProblems(graph, x.key, own, missingDeps, missingParents, pos);
  x.derived.changed();
  return true;
}

/** Revisions above x (descendants through down_revision and depends_on links). */
function above(graph: RevisionGraph, x: Node): Set<string> {
  const seen = new Set<string>();
  const todo = [...x.allNext];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const c of graph.nodes.get(id)!.allNext) if (!seen.has(c)) todo.push(c);
  }
  return seen;
}

/**
 * The problem list in buildGraph's order, with x's own problems replaced: self-loops in input
 * order, duplicates, label conflicts, missing dependencies then missing parents in load order.
 */
function reorderProblems(graph: RevisionGraph, key: number, own: OwnProblem[], missingDeps: OwnProblem[], missingParents: OwnProblem[], pos: Map<string, number>): GraphProblem[] {
  const mine = (p: GraphProblem): boolean => (p.kind === 'self-loop' || p.kind === 'missing-parent' || p.kind === 'missing-dependency') && p.key === key;
  const keep = graph.problems.filter((p) => !mine(p));
  const byKind = (kind: GraphProblem['kind']): GraphProblem[] => keep.filter((p) => p.kind === kind);
  const insertBy = (list: GraphProblem[], add: OwnProblem[], rank: (p: GraphProblem) => number): GraphProblem[] => {
    if (!add.length) return list;
    const r = rank(add[0]);
    let i = list.length;
    while (i > 0 && rank(list[i - 1]) > r) i--;
    return [...list.slice(0, i), ...add, ...list.slice(i)];
  };
  const keyRank = (p: GraphProblem): number => ('key' in p ? p.key : 0);
  const posRank = (p: GraphProblem): number => ('id' in p ? pos.get(p.id) ?? 0 : 0);
  return [
    ...insertBy(byKind('self-loop'), own, keyRank),
    ...byKind('duplicate'),
    ...byKind('label-conflict'),
    ...insertBy(byKind('missing-dependency'), missingDeps, posRank),
    ...insertBy(byKind('missing-parent'), missingParents, posRank),
  ];
}
