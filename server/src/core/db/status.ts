/**
 * The database's state against the files: what is applied, what `alembic upgrade heads` would
 * run, and the classic mismatches (Alembic's "Can't locate revision", several heads applied).
 */
import type { RevisionGraph } from '../graph/graph';
import { ancestors, upgradeSteps } from '../graph/walk';

export interface DbStatus {
  /** Rows of the version table (one per applied head). */
  applied: string[];
  /** Applied ids the files do not have: the database is ahead of the code, or a file was deleted. */
  unknown: string[];
  /** Every revision the database has (applied rows and their ancestors). */
  appliedSet: string[];
  /** What `alembic upgrade heads` would run, in order; undefined when it cannot be computed. */
  pending?: string[];
  pendingError?: string;
  /** True when the version table is missing (never migrated). */
  noVersionTable: boolean;
  /** One-line summary for the status bar. */
  summary: string;
}

export function computeStatus(graph: RevisionGraph, applied: string[] | undefined): DbStatus {
  if (applied === undefined) {
    const pending = upgradeSteps(graph, [], 'heads');
    return {
      applied: [], unknown: [], appliedSet: [], noVersionTable: true,
      pending: 'steps' in pending ? pending.steps : undefined, pendingError: 'error' in pending ? pending.error : undefined,
      summary: 'not migrated yet (no version table)',
    };
  }
  const unknown = applied.filter((id) => !graph.nodes.has(id));
  const known = applied.filter((id) => graph.nodes.has(id));
  const appliedSet = [...ancestors(graph, known)];
  let pending: string[] | undefined;
  let pendingError: string | undefined;
  const broken = graph.problems.find((p) => p.kind === 'missing-parent' || p.kind === 'cycle' || p.kind === 'dependency-cycle' || p.kind === 'self-loop');
  if (broken && !unknown.length) {
    const what = broken.kind === 'missing-parent' ? `${broken.id} names a missing parent ${broken.parent}` : `${broken.kind.replace('-', ' ')} in the history`;
    pendingError = `"alembic upgrade" would fail: ${what}. Fix the history first (see Problems).`;
  } else if (unknown.length) {
    pendingError = `Can't locate revision identified by '${unknown[0]}': the database has a revision the files lack (the database is ahead of this code, or the file was deleted or renamed).`;
  } else {
    const w = upgradeSteps(graph, known, 'heads');
    if ('error' in w) pendingError = w.error;
    else pending = w.steps;
  }
  const cur = applied.length ? applied.map((a) => a.slice(0, 12)).join(', ') : 'base (empty version table)';
  const summary = unknown.length ? `${cur}: unknown revision` : pending ? (pending.length ? `${cur} → ${pending.length} pending` : `${cur} (up to date)`) : `${cur}`;
  return { applied, unknown, appliedSet, pending, pendingError, noVersionTable: false, summary };
}
