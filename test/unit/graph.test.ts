import * as assert from 'assert';
import { buildGraph, RevisionInput } from '../../server/src/core/graph/graph';
import { downgradeSteps, historyOrder, lookup, resolve, upgradeSteps } from '../../server/src/core/graph/walk';

let key = 0;
const R = (id: string, down: string[] = [], extra: Partial<RevisionInput> = {}): RevisionInput => ({ id, down, dependsOn: [], branchLabels: [], key: key++, ...extra });

describe('revision graph', () => {
  it('linear: one head, one base', () => {
    const g = buildGraph([R('a'), R('b', ['a']), R('c', ['b'])]);
    assert.deepStrictEqual(g.heads, ['c']);
    assert.deepStrictEqual(g.bases, ['a']);
    assert.deepStrictEqual(g.problems, []);
    assert.deepStrictEqual(historyOrder(g), ['c', 'b', 'a']);
  });

  it('diamond: branch point and merge point', () => {
    const g = buildGraph([R('a'), R('b1', ['a']), R('b2', ['a']), R('m', ['b1', 'b2'])]);
    assert.deepStrictEqual(g.heads, ['m']);
    assert.ok(g.nodes.get('a')!.isBranchPoint);
    assert.ok(g.nodes.get('m')!.isMergePoint);
    assert.deepStrictEqual(g.nodes.get('a')!.next, ['b1', 'b2']);
  });

  it('depends_on does not remove a head, but removes a real head', () => {
    const g = buildGraph([R('a'), R('x'), R('b', ['a'], { dependsOn: ['x'] })]);
    assert.deepStrictEqual(g.heads, ['x', 'b']);
    assert.deepStrictEqual(g.realHeads, ['b']);
    assert.deepStrictEqual(g.nodes.get('b')!.resolvedDeps, ['x']);
  });

  it('depends_on may name a branch label', () => {
    const g = buildGraph([R('u1', [], { branchLabels: ['users'] }), R('a1'), R('a2', ['a1'], { dependsOn: ['users'] })]);
    assert.deepStrictEqual(g.nodes.get('a2')!.resolvedDeps, ['u1']);
    assert.deepStrictEqual(g.problems, []);
  });

  it('normalizes dependencies already held by an ancestor', () => {
    const g = buildGraph([R('x'), R('a', [], { dependsOn: ['x'] }), R('b', ['a'], { dependsOn: ['x'] })]);
    assert.deepStrictEqual(g.nodes.get('b')!.normalizedDeps, []);
    assert.deepStrictEqual(g.nodes.get('a')!.normalizedDeps, ['x']);
  });

  it('propagates a label up its branch and down to the branch point', () => {
    const g = buildGraph([R('r'), R('m1', ['r']), R('f0', ['r']), R('f1', ['f0'], { branchLabels: ['feat'] }), R('f2', ['f1'])]);
    assert.deepStrictEqual(g.nodes.get('f2')!.labels, ['feat']);
    assert.deepStrictEqual(g.nodes.get('f1')!.labels, ['feat']);
    assert.deepStrictEqual(g.nodes.get('f0')!.labels, ['feat']);
    assert.deepStrictEqual(g.nodes.get('r')!.labels, []);
    assert.deepStrictEqual(g.nodes.get('m1')!.labels, []);
  });

  it('reports problems and keeps the rest of the graph', () => {
    const g = buildGraph([R('a'), R('b', ['a']), R('c', ['gone']), R('d', ['d']), R('b', ['a'])]);
    const kinds = g.problems.map((p) => p.kind).sort();
    assert.deepStrictEqual(kinds, ['duplicate', 'missing-parent', 'self-loop']);
    assert.ok(g.heads.includes('b') && g.heads.includes('c'));
  });

  it('finds cycles precisely (members only)', () => {
    const g = buildGraph([R('a'), R('x', ['a', 'z']), R('y', ['x']), R('z', ['y']), R('t', ['y'])]);
    const c = g.problems.find((p) => p.kind === 'cycle');
    assert.deepStrictEqual(c && 'ids' in c ? c.ids : [], ['x', 'y', 'z']);
  });

  it('rejects a label already used by a revision id or another label', () => {
    const g = buildGraph([R('a', [], { branchLabels: ['x'] }), R('b', [], { branchLabels: ['x'] }), R('c', [], { branchLabels: ['a'] })]);
    assert.deepStrictEqual(g.problems.map((p) => p.kind), ['label-conflict', 'label-conflict']);
  });
});

describe('revision expressions', () => {
  const g = buildGraph([
    R('ae10aaaa'), R('ae10bbbb', ['ae10aaaa']), R('cccc1111', ['ae10bbbb'], { branchLabels: ['feat'] }), R('dddd2222', ['ae10bbbb']),
  ]);
  const ids = (e: string, cur: string[] = []): string[] | string => {
    const r = resolve(g, e, cur);
    return 'error' in r ? r.code : r.ids;
  };
  it('resolves ids, unique prefixes, labels', () => {
    assert.deepStrictEqual(ids('cccc1111'), ['cccc1111']);
    assert.deepStrictEqual(ids('cccc'), ['cccc1111']);
    assert.deepStrictEqual(ids('feat'), ['cccc1111']);
    assert.deepStrictEqual(ids('ae10'), 'ambiguous');
    assert.deepStrictEqual(ids('cc'), ['cccc1111'], 'Alembic checks the length of candidates, not of the prefix');
    assert.deepStrictEqual(ids('zz'), 'too-short');
    assert.deepStrictEqual(ids('zzzz'), 'not-found');
    const amb = lookup(g, 'ae10');
    assert.ok('candidates' in amb && amb.candidates!.length === 2);
  });
  it('head / heads / base / label@head', () => {
    assert.deepStrictEqual(ids('head'), 'multiple-heads');
    assert.deepStrictEqual(ids('heads'), ['cccc1111', 'dddd2222']);
    assert.deepStrictEqual(ids('base'), []);
    assert.deepStrictEqual(ids('feat@head'), ['cccc1111']);
    assert.deepStrictEqual(ids('dddd@head'), ['dddd2222']);
  });
  it('relative +N / -N / rev+N', () => {
    assert.deepStrictEqual(ids('+1', ['ae10aaaa']), ['ae10bbbb']);
    assert.deepStrictEqual(ids('-1', ['ae10bbbb']), ['ae10aaaa']);
    assert.deepStrictEqual(ids('ae10aaaa+1'), ['ae10bbbb']);
    assert.deepStrictEqual(ids('+2', ['ae10aaaa']), 'ambiguous');
    assert.deepStrictEqual(ids('-3', ['ae10bbbb']), 'walked-too-far');
  });
});

describe('walks', () => {
  const g = buildGraph([R('a'), R('b1', ['a']), R('b2', ['a']), R('m', ['b1', 'b2']), R('t', ['m'])]);
  const steps = (w: ReturnType<typeof upgradeSteps>): string[] | string => ('error' in w ? w.code : w.steps);
  it('upgrade from nothing to head crosses the merge in Alembic order', () => {
    assert.deepStrictEqual(steps(upgradeSteps(g, [], 'head')), ['a', 'b2', 'b1', 'm', 't']);
  });
  it('upgrade from one branch applies only what is missing', () => {
    assert.deepStrictEqual(steps(upgradeSteps(g, ['b1'], 'head')), ['b2', 'm', 't']);
  });
  it('downgrade to a revision undoes its descendants, newest first', () => {
    assert.deepStrictEqual(steps(downgradeSteps(g, ['t'], 'b1')), ['t', 'm']);
    assert.deepStrictEqual(steps(downgradeSteps(g, ['t'], 'base')), ['t', 'm', 'b1', 'b2', 'a'], 'order checked against Alembic 1.8');
    assert.deepStrictEqual(steps(downgradeSteps(g, ['t'], '-1')), ['t']);
  });
  it('refuses to walk a cycle', () => {
    const c = buildGraph([R('a'), R('x', ['a', 'y']), R('y', ['x'])]);
    assert.strictEqual(steps(upgradeSteps(c, [], 'heads')), 'cycle');
  });
});
