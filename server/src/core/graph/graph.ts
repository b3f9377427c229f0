/**
 * The revision graph with Alembic's semantics (alembic/script/revision.py, RevisionMap):
 * heads, bases, branch and merge points, `depends_on` (by id or branch label), branch-label
 * propagation, and the problems Alembic would stop on — which we record and step over, so the
 * rest of the graph is still known.
 */

export interface RevisionInput {
  id: string;
  /** `down_revision` items, in order (an empty list is a base). */
  down: string[];
  /** `depends_on` items as written: revision ids or branch labels. */
  dependsOn: string[];
  branchLabels: string[];
  /** Caller's handle (e.g. index of the file); returned in problems. */
  key: number;
}

export interface RevisionNode {
  id: string;
  key: number;
  down: string[];
  dependsOn: string[];
  /** depends_on resolved to revision ids (labels replaced; missing ones dropped). */
  resolvedDeps: string[];
  /**
   * resolvedDeps minus those an ancestor already depends on (Alembic's normalized deps).
   * Derived from the whole graph on first read (see DerivedState).
   */
  readonly normalizedDeps: string[];
  /** Labels declared in this file. */
  ownLabels: string[];
  /** Labels that apply to this revision (own + propagated along its branch); derived on first read. */
  readonly labels: readonly string[];
  /** Revisions whose down_revision names this one. */
  next: string[];
  /** Revisions whose down_revision or depends_on names this one. */
  allNext: string[];
  isHead: boolean;
  /** Head also when depends_on is counted (`alembic heads --resolve-dependencies`). */
  isRealHead: boolean;
  isBase: boolean;
  isBranchPoint: boolean;
  isMergePoint: boolean;
}

export type GraphProblem =
  | { kind: 'duplicate'; id: string; keys: number[] }
  | { kind: 'missing-parent'; id: string; key: number; parent: string }
  | { kind: 'missing-dependency'; id: string; key: number; dependency: string }
  | { kind: 'self-loop'; id: string; key: number; via: 'down_revision' | 'depends_on' }
  | { kind: 'cycle'; ids: string[]; keys: number[] }
  | { kind: 'dependency-cycle'; ids: string[]; keys: number[] }
  | { kind: 'label-conflict'; label: string; id: string; key: number; other: string; otherKey: number; otherIsRevision: boolean };

export interface RevisionGraph {
  nodes: Map<string, RevisionNode>;
  /** Revision ids in load order (Alembic's revision-map order; a duplicate keeps its first slot). */
  order: string[];
  heads: string[];
  bases: string[];
  realHeads: string[];
  realBases: string[];
  /** Branch label -> the revision that declares it. */
  labels: Map<string, string>;
  problems: GraphProblem[];
}

/**
 * The parts of a graph that need a walk over all of it but no diagnostic reads: normalized
 * dependencies (walks) and propagated branch labels (views). They are computed on the first
 * read of a node's `labels` or `normalizedDeps`, and again after updateRevision() changed the graph,
 * so an edit re-publishes diagnostics without paying for them.
 */
export class DerivedState {
  stale = true;
  /** Counts in-place updates (updateRevision), so results derived from the graph can be cached. */
  generation = 0;
  /** Position of each id in graph.order (for ordered inserts); built when first needed. */
  pos: Map<string, number> | undefined;
  constructor(readonly graph: RevisionGraph) {}

  /** Connected parts of the graph (through down_revision and depends_on links); see component. */
  private components: Map<string, number> | undefined;

  /** A number shared by the revisions of one connected part of the graph. */
  component(id: string): number | undefined {
    if (!this.components) {
      const g = this.graph;
      const comp = new Map<string, number>();
      let next = 0;
      for (const start of g.order) {
        if (comp.has(start)) continue;
        const c = next++;
        comp.set(start, c);
        const todo = [start];
        while (todo.length) {
          const n = g.nodes.get(todo.pop()!)!;
          for (const list of [n.down, n.resolvedDeps, n.allNext]) {
            for (const x of list) {
              if (comp.has(x) || !g.nodes.has(x)) continue;
              comp.set(x, c);
              todo.push(x);
            }
          }
        }
      }
      this.components = comp;
    }
    return this.components.get(id);
  }

  /** After an in-place update: everything derived is computed again when next asked for. */
  changed(): void {
    this.stale = true;
    this.intervals = undefined;
    this.components = undefined;
    this.generation++;
  }

  ensure(): void {
    if (!this.stale) return;
    this.stale = false; // before the passes: they read the fields they write
    const g = this.graph;
    for (const n of g.nodes.values()) {
      const x = n as Node;
      x._labels = EMPTY;
      x._normalizedDeps = NO_DEPS;
    }
    const topo = topoOrder(g);
    if (topo.length < g.order.length) {
      // revisions on or above a cycle still get labels and dependencies, in load order
      const seen = new Set(topo);
      for (const id of g.order) if (!seen.has(id)) topo.push(id);
    }
    normalizeDeps(g, topo);
    propagateLabels(g, topo);
  }

  /**
   * A rank per revision that grows along every down_revision and depends_on link (a topological
   * order of an acyclic graph); undefined until asked for, and again after a link went against it.
   */
  ranks: Map<string, number> | undefined;

  rank(): Map<string, number> {
    if (!this.ranks) {
      this.ranks = new Map();
      dependencyOrder(this.graph).forEach((id, i) => this.ranks!.set(id, i));
    }
    return this.ranks;
  }

  /** Pre/post numbers of a walk of the first-parent forest (down_revision[0] links); see onFirstParentLine. */
  private intervals: Map<string, [number, number]> | undefined;

  /** Whether a is b or on b's first-parent line (b, its first parent, that one's first parent...). */
  onFirstParentLine(a: string, b: string): boolean {
    if (!this.intervals) {
      const g = this.graph;
      const iv = new Map<string, [number, number]>();
      const kids = new Map<string, string[]>();
      const roots: string[] = [];
      for (const id of g.order) {
        const p = g.nodes.get(id)!.down[0];
        if (p !== undefined && g.nodes.has(p)) {
          const k = kids.get(p);
          if (k) k.push(id);
          else kids.set(p, [id]);
        } else roots.push(id);
      }
      let clock = 0;
      for (const r of roots) {
        const stack: [string, number][] = [[r, 0]];
        iv.set(r, [clock++, -1]);
        while (stack.length) {
          const top = stack[stack.length - 1];
          const k = kids.get(top[0]);
          if (k && top[1] < k.length) {
            const c = k[top[1]++];
            iv.set(c, [clock++, -1]);
            stack.push([c, 0]);
          } else {
            iv.get(top[0])![1] = clock++;
            stack.pop();
          }
        }
      }
      this.intervals = iv;
    }
    const x = this.intervals.get(a);
    const y = this.intervals.get(b);
    return !!x && !!y && x[0] <= y[0] && y[1] <= x[1];
  }

  positions(): Map<string, number> {
    if (!this.pos) {
      this.pos = new Map();
      this.graph.order.forEach((id, i) => this.pos!.set(id, i));
    }
    return this.pos;
  }
}

const NO_DEPS: string[] = [];
const derivedStates = new WeakMap<RevisionGraph, DerivedState>();

/** The derived state of a graph built by buildGraph (a fresh one for a graph made by hand). */
export function derivedOf(graph: RevisionGraph): DerivedState {
  let d = derivedStates.get(graph);
  if (!d) {
    d = new DerivedState(graph);
    derivedStates.set(graph, d);
  }
  return d;
}

/**
 * One shared empty list, frozen: most revisions have no dependencies, labels or second child,
 * and thousands of empty arrays cost the garbage collector more than the lists themselves.
 * Lists are replaced, never changed in place, once a graph is built (see update.ts).
 */
export const NO_STRINGS = Object.freeze([]) as unknown as string[];

/** Adds to a list that may be the shared empty one. */
function added(list: string[], v: string): string[] {
  if (list === NO_STRINGS) return [v];
  list.push(v);
  return list;
}

/** A node of a built graph (internal: the rest of the code reads RevisionNode). */
export class Node implements RevisionNode {
  resolvedDeps: string[] = NO_STRINGS;
  next: string[] = NO_STRINGS;
  allNext: string[] = NO_STRINGS;
  isHead = true;
  isRealHead = true;
  isBranchPoint = false;
  isBase: boolean;
  isMergePoint: boolean;
  _labels: readonly string[] = EMPTY;
  _normalizedDeps: string[] = NO_DEPS;
  /** Scratch counter of kahn(). */
  _pending = 0;
  constructor(
    readonly id: string, public key: number, public down: string[], public dependsOn: string[], public ownLabels: string[],
    readonly derived: DerivedState,
  ) {
    this.isBase = down.length === 0;
    this.isMergePoint = down.length > 1;
  }

  get labels(): readonly string[] {
    this.derived.ensure();
    return this._labels;
  }

  get normalizedDeps(): string[] {
    this.derived.ensure();
    return this._normalizedDeps;
  }

  toJSON(): object {
    return { ...this, derived: undefined, _labels: undefined, _normalizedDeps: undefined, _pending: undefined, labels: this.labels, normalizedDeps: this.normalizedDeps };
  }
}


/** Builds the graph. Input order matters the way file order matters to Alembic (ties, duplicates). */
export function buildGraph(inputs: RevisionInput[]): RevisionGraph {
  const nodes = new Map<string, RevisionNode>();
  const order: string[] = [];
  const problems: GraphProblem[] = [];
  const dupKeys = new Map<string, number[]>();
  const graph: RevisionGraph = { nodes, order, labels: new Map(), problems, heads: [], bases: [], realHeads: [], realBases: [] };
  const derived = new DerivedState(graph);
  derivedStates.set(graph, derived);

  // index loops: this runs once per index, mostly before V8 optimizes it, and for-of allocates there
  for (let k = 0; k < inputs.length; k++) {
    const r = inputs[k];
    let down = dedupe(r.down);
    let deps = dedupe(r.dependsOn.includes('') ? r.dependsOn.filter((d) => d !== '') : r.dependsOn);
    if (down.includes(r.id)) {
      problems.push({ kind: 'self-loop', id: r.id, key: r.key, via: 'down_revision' });
      down = down.filter((d) => d !== r.id);
    }
    if (deps.includes(r.id)) {
      problems.push({ kind: 'self-loop', id: r.id, key: r.key, via: 'depends_on' });
      deps = deps.filter((d) => d !== r.id);
    }
    const prev = nodes.get(r.id);
    if (prev) {
      const keys = dupKeys.get(r.id) ?? [prev.key];
      keys.push(r.key);
      dupKeys.set(r.id, keys);
    } else {
      order.push(r.id);
    }
    nodes.set(r.id, new Node(r.id, r.key, down, deps, dedupe(r.branchLabels), derived));
  }
  for (const [id, keys] of dupKeys) problems.push({ kind: 'duplicate', id, keys });
  /** The nodes in load order (one map lookup each, here only). */
  const list = order.map((id) => nodes.get(id) as Node);

  // Branch labels share the namespace of revision ids (Alembic's _map_branch_labels).
  const labels = graph.labels;
  for (let k = 0; k < list.length; k++) {
    const n = list[k];
    const id = n.id;
    for (const label of n.ownLabels) {
      const byRev = nodes.get(label);
      const byLabel = labels.get(label);
      if (byRev || byLabel) {
        const other = byRev ?? nodes.get(byLabel!)!;
        problems.push({ kind: 'label-conflict', label, id, key: n.key, other: other.id, otherKey: other.key, otherIsRevision: !!byRev });
        continue;
      }
      labels.set(label, id);
    }
  }

  // depends_on: exact ids or labels (no partial ids: Alembic looks them up in its map).
  for (let k = 0; k < list.length; k++) {
    const n = list[k];
    const id = n.id;
    for (let j = 0; j < n.dependsOn.length; j++) {
      const d = n.dependsOn[j];
      const target = nodes.has(d) ? d : labels.get(d);
      if (target === undefined) problems.push({ kind: 'missing-dependency', id, key: n.key, dependency: d });
      else if (target !== id && !n.resolvedDeps.includes(target)) n.resolvedDeps = added(n.resolvedDeps, target);
    }
  }

  for (let k = 0; k < list.length; k++) {
    const n = list[k];
    const id = n.id;
    for (let j = 0; j < n.down.length; j++) {
      const d = n.down[j];
      const parent = nodes.get(d);
      if (!parent) {
        problems.push({ kind: 'missing-parent', id, key: n.key, parent: d });
        continue;
      }
      parent.next = added(parent.next, id);
      parent.allNext = added(parent.allNext, id);
      parent.isHead = false;
      parent.isRealHead = false;
    }
    for (let j = 0; j < n.resolvedDeps.length; j++) {
      const d = n.resolvedDeps[j];
      const parent = nodes.get(d)!;
      if (!parent.allNext.includes(id)) parent.allNext = added(parent.allNext, id);
      parent.isRealHead = false;
    }
  }
  for (let k = 0; k < list.length; k++) list[k].isBranchPoint = list[k].next.length > 1;
  endLists(graph, list);
  detectCycles(graph);
  return graph;
}

/** heads, bases, realHeads, realBases from the nodes' flags, in load order. */
function endLists(graph: RevisionGraph, list: RevisionNode[]): void {
  graph.heads = [];
  graph.bases = [];
  graph.realHeads = [];
  graph.realBases = [];
  for (const n of list) {
    if (n.isHead) graph.heads.push(n.id);
    if (n.isBase) graph.bases.push(n.id);
    if (n.isRealHead) graph.realHeads.push(n.id);
    if (n.isBase && n.dependsOn.length === 0) graph.realBases.push(n.id);
  }
}

export function dedupe(xs: string[]): string[] {
  if (xs.length < 2) return xs;
  return xs.length === 2 ? (xs[0] === xs[1] ? [xs[0]] : xs) : [...new Set(xs)];
}

/** Strongly connected components (iterative Tarjan) over present edges. */
function cycles(graph: RevisionGraph, edges: (n: RevisionNode) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of graph.order) {
    if (index.has(start)) continue;
    const work: { id: string; i: number; succ: string[] }[] = [];
    const push = (id: string): void => {
      index.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, i: 0, succ: edges(graph.nodes.get(id)!).filter((s) => graph.nodes.has(s)) });
    };
    push(start);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.succ.length) {
        const s = top.succ[top.i++];
        if (!index.has(s)) push(s);
        else if (onStack.has(s)) low.set(top.id, Math.min(low.get(top.id)!, index.get(s)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.id)!));
      }
      if (low.get(top.id) === index.get(top.id)) {
        const comp: string[] = [];
        let x: string;
        do {
          x = stack.pop()!;
          onStack.delete(x);
          comp.push(x);
        } while (x !== top.id);
        if (comp.length > 1) out.push(comp.sort());
      }
    }
  }
  return out;
}

/**
 * Cycles: Kahn's algorithm orders the graph in linear time and leaves out exactly the revisions
 * on or above a cycle; only then does Tarjan name the members of each cycle.
 */
function detectCycles(graph: RevisionGraph): void {
  const keysOf = (ids: string[]): number[] => ids.map((id) => graph.nodes.get(id)!.key);
  const hasDeps = graph.order.some((id) => graph.nodes.get(id)!.resolvedDeps.length);
  // One pass settles the usual case: no cycle through down_revision and depends_on links
  // means none through down_revision alone.
  if (hasDeps && dependencyOrder(graph).length === graph.order.length) return;
  const versionTopo = topoOrder(graph);
  const versionCycles = versionTopo.length < graph.order.length ? cycles(graph, (n) => n.down) : [];
  for (const ids of versionCycles) graph.problems.push({ kind: 'cycle', ids, keys: keysOf(ids) });
  if (!hasDeps) return;
  const depTopo = dependencyOrder(graph);
  if (depTopo.length === graph.order.length) return;
  const inVersionCycle = new Set(versionCycles.flat());
  for (const ids of cycles(graph, (n) => [...n.down, ...n.resolvedDeps])) {
    if (ids.every((id) => inVersionCycle.has(id))) continue;
    graph.problems.push({ kind: 'dependency-cycle', ids, keys: keysOf(ids) });
  }
}

/** Revisions with every down_revision and depends_on target first; those on or above a cycle are missing. */
function dependencyOrder(graph: RevisionGraph): string[] {
  // parents counted once each and only when present, as allNext links them: the order misses
  // revisions exactly when the down_revision + depends_on graph has a cycle
  return kahn(graph, (n) => {
    let c = 0;
    for (let j = 0; j < n.down.length; j++) if (graph.nodes.has(n.down[j])) c++;
    for (let j = 0; j < n.resolvedDeps.length; j++) if (!n.down.includes(n.resolvedDeps[j])) c++;
    return c;
  }, (n) => n.allNext);
}

/** Kahn's algorithm: the revisions whose every parent comes first; those on or above a cycle are missing. */
function kahn(graph: RevisionGraph, parentCount: (n: RevisionNode) => number, children: (n: RevisionNode) => string[]): string[] {
  const out: string[] = [];
  const ready: Node[] = [];
  const order = graph.order;
  for (let k = 0; k < order.length; k++) {
    const n = graph.nodes.get(order[k]) as Node;
    n._pending = parentCount(n);
    if (!n._pending) ready.push(n);
  }
  for (let i = 0; i < ready.length; i++) {
    const n = ready[i];
    out.push(n.id);
    const cs = children(n);
    for (let j = 0; j < cs.length; j++) {
      const m = graph.nodes.get(cs[j]) as Node;
      if (--m._pending === 0) ready.push(m);
    }
  }
  return out;
}

/**
 * Revision ids with every parent (down_revision) before its children. Revisions on a cycle, or
 * above one, are missing.
 */
function topoOrder(graph: RevisionGraph): string[] {
  return kahn(graph, (n) => {
    let c = 0;
    for (let j = 0; j < n.down.length; j++) if (graph.nodes.has(n.down[j])) c++;
    return c;
  }, (n) => n.next);
}

const EMPTY: readonly string[] = [];

/** Union of small id lists, sharing the input when nothing is added. */
function union(a: readonly string[], b: readonly string[]): readonly string[] {
  if (!b.length) return a;
  if (!a.length) return b;
  const extra = b.filter((x) => !a.includes(x));
  return extra.length ? [...a, ...extra] : a;
}

/**
 * Alembic's _normalize_depends_on: drop dependencies that an ancestor (through down_revision)
 * already depends on. One pass in topological order; `held` is shared along plain chains.
 */
function normalizeDeps(graph: RevisionGraph, order: string[]): void {
  const held = new Map<string, readonly string[]>(); // deps held by a revision's strict ancestors
  for (const id of order) {
    const n = graph.nodes.get(id)!;
    let h: readonly string[] = EMPTY;
    for (const d of n.down) {
      const p = graph.nodes.get(d);
      if (!p) continue;
      h = union(union(h, held.get(d) ?? EMPTY), p.resolvedDeps);
    }
    held.set(id, h);
    if (n.resolvedDeps.length) (n as Node)._normalizedDeps = n.resolvedDeps.filter((x) => !h.includes(x));
  }
}

/**
 * Alembic's _add_branches: a label applies to the revision, to everything above it (through
 * down_revision links), and, when nothing above it branches or merges, down its own line
 * until a branch point or a merge point.
 */
function propagateLabels(graph: RevisionGraph, order: string[]): void {
  const owned = (n: RevisionNode): readonly string[] => (n.ownLabels.length ? n.ownLabels.filter((l) => graph.labels.get(l) === n.id) : EMPTY);
  // Upward: every revision inherits the labels of all its down_revision ancestors (one pass).
  const inherited = new Map<string, readonly string[]>();
  for (const id of order) {
    const n = graph.nodes.get(id)!;
    let acc: readonly string[] = EMPTY;
    for (const d of n.down) {
      const p = graph.nodes.get(d);
      if (p) acc = union(acc, inherited.get(d) ?? EMPTY);
    }
    acc = union(acc, owned(n));
    inherited.set(id, acc);
    (n as Node)._labels = acc; // shared along chains (readonly); the downward walk below copies before adding
  }
  // Downward: from the top of a plain chain above the labeled revision.
  for (const id of graph.order) {
    const n = graph.nodes.get(id)!;
    const own = owned(n);
    if (!own.length) continue;
    // Alembic walks down from the last descendant it visited. When the descendants branch,
    // that walk stops at the branch point (nothing new); when they form one chain, it starts
    // at the chain's top and may continue below this revision, down to a branch or merge point.
    let top = n;
    const chain = new Set<string>([n.id]);
    while (top.next.length === 1 && !chain.has(top.next[0])) {
      top = graph.nodes.get(top.next[0])!;
      chain.add(top.id);
    }
    if (top.next.length > 1) continue;
    let parent: RevisionNode | undefined = top;
    const walked = new Set<string>();
    while (parent && !walked.has(parent.id) && parent.allNext.length <= 1 && !parent.isMergePoint) {
      walked.add(parent.id);
      const p = parent as Node;
      const missing = own.filter((l) => !p._labels.includes(l));
      if (missing.length) p._labels = [...p._labels, ...missing];
      parent = parent.down.length === 1 ? graph.nodes.get(parent.down[0]) : undefined;
    }
  }
}
