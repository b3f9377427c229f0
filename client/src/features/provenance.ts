/**
 * Where did a revision go? When the database holds a revision the files lack (Alembic's "Can't
 * locate revision"), look for it: in another Alembic setup of the workspace (wrong connection?),
 * then in git — the commits that added or removed the id, and the branches that still have it.
 */
import { execFile } from 'child_process';
import type { SetupGraph } from '../../../server/src/protocol';

/** git without the repository's command hooks (textconv drivers, fsmonitor): it runs on any folder. */
function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-c', 'core.fsmonitor=false', '-c', 'log.showSignature=false', ...args], { cwd, timeout: 4000, maxBuffer: 1 << 20 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

/** Answers per (id, HEAD and branches): the status refreshes every 30 s, git history rarely changes. */
const cache = new Map<string, string | undefined>();

/** A sentence saying where `id` is, or undefined when nothing is known. */
export async function whereIs(id: string, setup: SetupGraph, all: SetupGraph[]): Promise<string | undefined> {
  const other = all.find((s) => s.id !== setup.id && s.revisions.some((r) => r.id === id));
  if (other) return `${id} is a revision of another setup here (${other.label || other.configPath}): is this the right database for ${setup.label || 'this setup'}?`;
  if (!/^[\w-]+$/.test(id)) return undefined;
  const top = await git(setup.cwd, ['rev-parse', '--show-toplevel']);
  if (!top) return undefined;
  const refs = await git(top, ['for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/remotes']);
  const key = `${top}|${id}|${await git(top, ['rev-parse', 'HEAD'])}|${refs}`;
  if (cache.has(key)) return cache.get(key);
  const answer = await fromGit(top, id);
  if (cache.size > 100) cache.clear();
  cache.set(key, answer);
  return answer;
}

async function fromGit(top: string, id: string): Promise<string | undefined> {
  // commits (any branch) that added or removed the id in a Python file, newest first; --date-order
  // puts a commit after its children even when both have the same timestamp (a rebase or a script
  // commits several in one second: git's default order then may list the parent first)
  const log = await git(top, ['log', '--all', '--date-order', '--no-textconv', '-S', id, '--format=%h%x09%ad%x09%s', '--date=short', '--', '*.py']);
  const commits = (log ?? '').split('\n').filter(Boolean).map((l) => l.split('\t'));
  if (!commits.length) return `${id} is not in this repository's history (git log --all -S ${id} finds nothing): the database was migrated from other code, or the id was changed.`;
  const [hash, date, subject] = commits[0];
  const inHead = await git(top, ['merge-base', '--is-ancestor', hash, 'HEAD']) !== undefined;
  const branches = (await git(top, ['branch', '-a', '--contains', hash, '--format=%(refname:short)']))?.split('\n').filter(Boolean) ?? [];
  const first = commits[commits.length - 1];
  if (inHead) {
    return `${id} was removed in ${hash} "${subject}" (${date})${commits.length > 1 ? `; it came in with ${first[0]} "${first[2]}"` : ''}. Downgrade the database with the code from before ${hash}, or stamp it to a revision these files have.`;
  }
  return `${id} is on ${branches.length ? `branch ${branches.slice(0, 3).join(', ')}${branches.length > 3 ? ` (+${branches.length - 3})` : ''}` : 'a commit not in this branch'} (${hash} "${subject}", ${date}), not checked out here: the database was migrated from that branch. Check it out to downgrade, or merge it.`;
}
