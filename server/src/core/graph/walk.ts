/**
 * Revision expressions (`head`, `heads`, `base`, ids, unique prefixes, branch labels,
 * `label@head`, `+N`, `-N`, `rev+N`) and the ordered steps of `alembic upgrade` /
 * `alembic downgrade` / `alembic history`, following Alembic's RevisionMap
 * (_collect_upgrade_revisions, _collect_downgrade_revisions, _topological_sort).
 */
import { DerivedState, derivedOf, RevisionGraph, RevisionNode } from './graph';

export type Resolved = { ids: string[] } | { error: string; code: WalkErrorCode; candidates?: string[] };
export type WalkErrorCode = 'multiple-heads' | 'not-found' | 'ambiguous' | 'too-short' | 'not-in-branch' | 'walked-too-far' | 'cycle' | 'range' | 'bad-expression';

const fail = (code: WalkErrorCode, error: string, candidates?: string[]): Resolved => ({ error, code, candidates });

/** Looks up one identifier: exact id, branch label, or a unique prefix (Alembic: candidates longer than 3 chars). */
export function lookup(graph: RevisionGraph, ident: string): Resolved {
  if (graph.nodes.has(ident)) return { ids: [ident] };
  const byLabel = graph.labels.get(ident);
  if (byLabel) return { ids: [byLabel] };
  const cands: string[] = [];
  for (const key of [...graph.order, ...graph.labels.keys()]) {
    if (key.length > 3 && key.startsWith(ident)) cands.push(graph.labels.get(key) ?? key);
  }
  const unique = [...new Set(cands)];
  if (unique.length === 1) return { ids: unique };
  if (unique.length > 1) {
    return fail('ambiguous', `Multiple revisions start with '${ident}': ${unique.slice(0, 3).map((c) => `'${c}'`).join(', ')}...`, unique);
  }
  return fail(ident.length < 4 ? 'too-short' : 'not-found', `No such revision or branch '${ident}'${ident.length < 4 ? '; please ensure at least four characters are present for partial revision identifier matches' : ''}`);
}

function multipleHeads(heads: string[], arg: string): Resolved {
  return fail('multiple-heads', `Multiple head revisions are present for given argument '${arg}'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads`, heads);
}

/** Heads whose lineage includes `rev` (descendant heads); all heads when rev is undefined. */
function headsOf(graph: RevisionGraph, rev: string | undefined): string[] {
  if (rev === undefined) return graph.heads;
  const up = descendants(graph, [rev], false);
  return graph.heads.filter((h) => up.has(h));
}

/**
 * Resolves a revision expression to ids. `current` is the applied set (for `+N`/`-N`).
 * `base` resolves to [] (no revision).
 */
export function resolve(graph: RevisionGraph, expr: string, current: string[] = []): Resolved {
  const rel = /^(?:(.+?)@)?(\w+)?([+-]\d+)$/.exec(expr);
  if (rel) return resolveRelative(graph, rel[1], rel[2], parseInt(rel[3], 10), current, expr);
  let branch: string | undefined;
  let rest = expr;
  const at = expr.indexOf('@');
  if (at >= 0) {
    branch = expr.slice(0, at);
    rest = expr.slice(at + 1);
  }
  let branchRev: string | undefined;
  if (branch !== undefined) {
    const b = lookup(graph, branch);
    if ('error' in b) return fail('not-found', `No such branch: '${branch}'`);
    branchRev = b.ids[0];
  }
  // `heads` alone counts depends_on (Alembic's _real_heads); `label@heads` and `head` do not.
  if (rest === 'heads') return { ids: branchRev === undefined ? graph.realHeads : headsOf(graph, branchRev) };
  if (rest === 'head') {
    const hs = headsOf(graph, branchRev);
    return hs.length > 1 ? multipleHeads(hs, expr) : { ids: hs };
  }
  if (rest === 'base') {
    if (branchRev === undefined) return { ids: [] };
    const down = ancestors(graph, [branchRev], false);
    return { ids: graph.bases.filter((b) => down.has(b)) };
  }
  const r = lookup(graph, rest);
  if ('error' in r || branchRev === undefined) return r;
  const id = r.ids[0];
  if (!sharesLineage(graph, id, branchRev)) return fail('not-in-branch', `Revision ${id} is not a member of branch '${branch}'`);
  return r;
}

function sharesLineage(graph: RevisionGraph, a: string, b: string): boolean {
  return a === b || ancestors(graph, [a], false).has(b) || descendants(graph, [a], false).has(b);
}

function resolveRelative(graph: RevisionGraph, branch: string | undefined, base: string | undefined, n: number, current: string[], expr: string): Resolved {
  let start: string | undefined;
  if (base !== undefined) {
    const r = resolve(graph, branch !== undefined ? `${branch}@${base}` : base, current);
    if ('error' in r) return r;
    if (r.ids.length > 1) return multipleHeads(r.ids, expr);
    start = r.ids[0];
  } else {
    let cur = current;
    if (branch !== undefined) {
      const b = lookup(graph, branch);
      if ('error' in b) return fail('not-found', `No such branch: '${branch}'`);
      cur = current.filter((c) => sharesLineage(graph, c, b.ids[0]));
    }
    if (cur.length > 1) return fail('ambiguous', `Relative revision ${expr} is ambiguous with several current revisions (${cur.join(', ')}); name a branch: <branch>@${expr}`);
    start = cur[0];
  }
  let id = start;
  for (let i = 0; i < Math.abs(n); i++) {
    if (n > 0) {
      const next = id === undefined ? graph.bases : graph.nodes.get(id)!.next;
      if (next.length !== 1) {
        return fail(next.length ? 'ambiguous' : 'walked-too-far', next.length ? `Ambiguous walk: ${id ?? 'base'} has several next revisions (${next.join(', ')})` : `Relative revision ${expr} didn't produce ${Math.abs(n)} migrations`);
      }
      id = next[0];
    } else {
      if (id === undefined) return fail('walked-too-far', `Relative revision ${expr} didn't produce ${Math.abs(n)} migrations`);
      const down = graph.nodes.get(id)!.down;
      if (down.length > 1) return fail('ambiguous', `Ambiguous walk: ${id} is a merge point of ${down.join(', ')}`);
      id = down[0];
    }
  }
  return { ids: id === undefined ? [] : [id] };
}

/** Alembic's _normalized_down_revisions. */
function normalizedDown(n: RevisionNode): string[] {
  return n.normalizedDeps.length ? [...new Set([...n.down, ...n.normalizedDeps])] : n.down;
}

/** Ancestors including the starting revisions; with dependencies (normalized), like _get_ancestor_nodes. */
export function ancestors(graph: RevisionGraph, start: string[], withDeps = true): Set<string> {
  return related(graph, start, (n) => (withDeps ? normalizedDown(n) : n.down));
}

/** Descendants including the starting revisions. */
export function descendants(graph: RevisionGraph, start: string[], withDeps = true): Set<string> {
  return related(graph, start, (n) => (withDeps ? n.allNext : n.next));
}

function related(graph: RevisionGraph, start: string[], fn: (n: RevisionNode) => string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    const n = graph.nodes.get(id);
    if (!n) continue;
    seen.add(id);
    for (const x of fn(n)) if (!seen.has(x)) todo.push(x);
  }
  return seen;
}

/** What one sort has learnt about a revision `a`: revisions known to have it as an ancestor, and known not to. */
interface Known {
  above: Set<string>;
  notAbove: Set<string>;
}

/**
 * Whether `a` is `b` or one of its ancestors, by searching (the fallback of ancestryOf for a
 * graph too wide for a reach table). Answers from what the graph's shape says when it can:
 * separate components, first-parent intervals (a on b's first-parent line) and earlier
 * answers; otherwise searches down from b, first parents first, without entering revisions
 * ranked below a. The revisions on a path found have a as an ancestor; those searched in vain
 * do not: both are remembered for one sort (the graph does not change meanwhile).
 */
function searchAncestor(graph: RevisionGraph, d: DerivedState, memo: Map<string, Known>, a: string, b: string): boolean {
  const rank = d.rank();
  const ra = rank.get(a)!;
  if (d.component(a) !== d.component(b)) return false;
  if (d.onFirstParentLine(a, b)) return true;
  let known = memo.get(a);
  if (known?.above.has(b)) return true;
  if (known?.notAbove.has(b)) return false;
  const from = new Map<string, string>([[b, '']]);
  const todo = [b];
  while (todo.length) {
    const id = todo.pop()!;
    const down = normalizedDown(graph.nodes.get(id)!);
    if (down.includes(a)) {
      if (!known) memo.set(a, (known = { above: new Set(), notAbove: new Set() }));
      for (let x = id; x !== ''; x = from.get(x)!) known.above.add(x);
      return true;
    }
    for (let i = down.length - 1; i >= 0; i--) {
      const p = down[i];
      const rp = rank.get(p);
      if (rp === undefined || rp < ra || from.has(p) || known?.notAbove.has(p)) continue;
      if (known?.above.has(p)) {
        for (let x = id; x !== ''; x = from.get(x)!) known.above.add(x);
        return true;
      }
      from.set(p, id);
      todo.push(p);
    }
  }
  if (!known) memo.set(a, (known = { above: new Set(), notAbove: new Set() }));
  for (const x of from.keys()) known.notAbove.add(x);
  return false;
}

/** Entries a reach table may have (revisions × chains; 4 bytes each): above it, ancestryOf searches. */
export const reachLimit = { entries: 1 << 22 };

/**
 * A reach table: the revisions, in rank order (topological), are cut into chains — a revision
 * continues the chain of a parent (down_revision or depends_on) that is that chain's newest
 * revision so far, else it starts a chain — and for each revision and chain it holds the highest
 * position on that chain among the revision's ancestors (itself included), or -1. Every revision
 * on a chain is a parent of the next, so `a` is an ancestor of `b` exactly when
 * pos(a) ≤ reach[b][chain(a)]. Built in one pass
 * (a revision's row is the elementwise maximum of its parents' rows); undefined when the table
 * would exceed reachLimit (many chains: then ancestryOf searches instead).
 */
function reachTable(graph: RevisionGraph, rank: Map<string, number>): ((a: number, b: number) => boolean) | undefined {
  const n = rank.size;
  const ids: string[] = new Array(n);
  for (const [id, r] of rank) ids[r] = id;
  const chain = new Int32Array(n);
  const pos = new Int32Array(n);
  const tails: number[] = [];
  const parents: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const down = normalizedDown(graph.nodes.get(ids[i])!);
    const ps: number[] = [];
    for (let k = 0; k < down.length; k++) {
      const r = rank.get(down[k]);
      if (r !== undefined) ps.push(r);
    }
    parents[i] = ps;
    let c = -1;
    for (let k = 0; k < ps.length && c < 0; k++) if (tails[chain[ps[k]]] === ps[k]) c = chain[ps[k]];
    if (c < 0) {
      c = tails.length;
      tails.push(i);
      pos[i] = 0;
    } else {
      pos[i] = pos[tails[c]] + 1;
      tails[c] = i;
    }
    chain[i] = c;
  }
  const width = tails.length;
  if (n * width > reachLimit.entries) return undefined;
  const reach = new Int32Array(n * width).fill(-1);
  for (let i = 0; i < n; i++) {
    const row = i * width;
    const ps = parents[i];
    if (ps.length) reach.copyWithin(row, ps[0] * width, ps[0] * width + width);
    for (let k = 1; k < ps.length; k++) {
      const other = ps[k] * width;
      for (let c = 0; c < width; c++) if (reach[other + c] > reach[row + c]) reach[row + c] = reach[other + c];
    }
    reach[row + chain[i]] = pos[i];
  }
  return (a, b) => reach[b * width + chain[a]] >= pos[a];
}

/**
 * For one sort (the graph does not change meanwhile): whether `a` is `b` or one of its ancestors
 * (through normalized down revisions). Ranks answer first (an ancestor ranks lower); the reach
 * table is built on the first question they do not answer, and kept until the graph changes.
 * Needs an acyclic graph.
 */
function ancestryOf(graph: RevisionGraph, d: DerivedState): (a: string, b: string) => boolean {
  const rank = d.rank();
  let cached = reachTables.get(graph);
  if (cached && (cached.generation !== d.generation || cached.rank !== rank)) cached = undefined;
  const memo = new Map<string, Known>();
  return (a, b) => {
    if (a === b) return true;
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra === undefined || rb === undefined || ra > rb) return false;
    if (!cached) reachTables.set(graph, (cached = { generation: d.generation, rank, table: reachTable(graph, rank) }));
    return cached.table ? cached.table(ra, rb) : searchAncestor(graph, d, memo, a, b);
  };
}

/** The reach table of a graph while it does not change (walks and status ask again and again). */
const reachTables = new WeakMap<RevisionGraph, { generation: number; rank: Map<string, number>; table: ((a: number, b: number) => boolean) | undefined }>();

/**
 * Alembic's _topological_sort: newest first, walking one head's line as far as other heads allow.
 * Alembic keeps each head's ancestor set (recomputed at every merge point); those sets are
 * always exactly the ancestors of the current heads, so this asks ancestryOf() instead.
 */
export function topologicalSort(graph: RevisionGraph, revisions: Set<string>, heads: string[]): string[] {
  const derived = derivedOf(graph);
  const pos = derived.positions();
  const rank = derived.rank();
  const isAncestor = ancestryOf(graph, derived);
  const todo = new Set(revisions);
  const current = [...new Set(heads.filter((h) => todo.has(h)))].sort((a, b) => pos.get(a)! - pos.get(b)!);
  /** Ranks of the current heads: a head ranked below the candidate cannot have it as an ancestor. */
  const ranks = current.map((h) => rank.get(h) ?? Infinity);
  const out: string[] = [];
  let idx = 0;
  let hops = 0;
  while (current.length) {
    const cand = current[idx];
    const rc = ranks[idx];
    let blocker = -1;
    if (hops <= current.length) {
      for (let j = 0; j < current.length; j++) {
        if (j !== idx && !(ranks[j] < rc) && isAncestor(cand, current[j])) {
          blocker = j;
          break;
        }
      }
    }
    if (blocker >= 0) {
      idx = blocker; // another head needs `cand`: walk that head first
      hops++;
      continue;
    }
    hops = 0;
    if (todo.delete(cand)) out.push(cand);
    const node = graph.nodes.get(cand)!;
    const add = normalizedDown(node).filter((r) => todo.has(r) && !current.includes(r));
    if (!add.length) {
      current.splice(idx, 1);
      ranks.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else {
      current[idx] = add[0];
      ranks[idx] = rank.get(add[0]) ?? Infinity;
      for (const h of add.slice(1)) {
        current.push(h);
        ranks.push(rank.get(h) ?? Infinity);
      }
    }
  }
  return out;
}

const histories = new WeakMap<RevisionGraph, { generation: number; order: string[] }>();

/** `alembic history` order (newest first): every revision reachable from the heads. */
export function historyOrder(graph: RevisionGraph): string[] {
  const generation = derivedOf(graph).generation;
  let h = histories.get(graph);
  if (!h || h.generation !== generation) {
    h = { generation, order: topologicalSort(graph, ancestors(graph, graph.heads), graph.heads) };
    histories.set(graph, h);
  }
  return h.order.slice();
}

export type Walk = { steps: string[]; targets: string[] } | { error: string; code: WalkErrorCode; candidates?: string[] };

function cycleGuard(graph: RevisionGraph): Walk | undefined {
  const c = graph.problems.find((p) => p.kind === 'cycle' || p.kind === 'dependency-cycle');
  if (c && 'ids' in c) return { error: `The history has a cycle (${c.ids.join(', ')}); Alembic refuses to walk it. Fix the down_revision values first.`, code: 'cycle' };
  return undefined;
}

/**
 * The migrations `alembic upgrade TARGET` runs from the applied set `current`, in execution
 * order (oldest first), like ScriptDirectory._upgrade_revs (implicit base).
 */
export function upgradeSteps(graph: RevisionGraph, current: string[], target: string): Walk {
  const guard = cycleGuard(graph);
  if (guard) return guard;
  const t = resolve(graph, target, current);
  if ('error' in t) return t;
  const required = ancestors(graph, t.ids);
  const have = ancestors(graph, current);
  const needs = new Set([...required].filter((r) => !have.has(r)));
  return { steps: topologicalSort(graph, needs, t.ids).reverse(), targets: t.ids };
}

/**
 * The migrations `alembic downgrade TARGET` undoes from the applied set `current`, in
 * execution order (newest first), like ScriptDirectory._downgrade_revs.
 */
export function downgradeSteps(graph: RevisionGraph, current: string[], target: string): Walk {
  const guard = cycleGuard(graph);
  if (guard) return guard;
  let branch: string | undefined;
  if (target.includes('@')) branch = target.split('@')[0];
  // `downgrade -N` walks down from the first current revision and stays on its branch.
  else if (/^-\d+$/.test(target) && current.length) branch = current[0];
  const t = resolve(graph, target, current);
  if ('error' in t) return t;
  if (t.ids.length > 1) return multipleHeads(t.ids, target) as Walk;
  const tid = t.ids[0];
  let roots: string[] = tid === undefined ? graph.order.filter((id) => graph.nodes.get(id)!.down.length === 0) : [...graph.nodes.get(tid)!.next];
  if (branch !== undefined && roots.length > 1) {
    const b = lookup(graph, branch);
    if (!('error' in b)) {
      const anc = ancestors(graph, b.ids, false);
      roots = roots.filter((r) => anc.has(r));
      if (!roots.length) return { error: 'Not a valid downgrade target from current heads', code: 'range' };
    }
  }
  const drop = descendants(graph, roots);
  const active = ancestors(graph, current);
  const steps = new Set([...drop].filter((d) => active.has(d)));
  if (tid !== undefined && !steps.size && !current.includes(tid)) {
    return { error: `Destination ${tid} is not a valid downgrade target from current head(s): nothing to drop`, code: 'range' };
  }
  return { steps: topologicalSort(graph, steps, current), targets: t.ids };
}

/** Revisions between the applied set and the heads: what `alembic upgrade heads` would run. */
export function pending(graph: RevisionGraph, applied: string[]): Walk {
  return upgradeSteps(graph, applied, 'heads');
}
