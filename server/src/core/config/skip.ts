/** Folders discovery never searches; shared with the client, which drops their events early. */
import * as path from 'path';

/** Dependencies, virtualenvs, caches, VCS data. Folders whose names start with a dot are skipped too. */
export const SKIP_DIRS: ReadonlySet<string> = new Set([
  'node_modules', 'site-packages', 'dist-packages', '__pycache__', '.git', '.hg', '.svn', '.venv',
  'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.idea', '.vscode',
]);

export const skippedDir = (name: string): boolean => SKIP_DIRS.has(name) || name.startsWith('.');

/** True when a path relative to a workspace folder lies outside it or in a folder discovery skips. */
export function outsideDiscovery(rel: string): boolean {
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return true;
  return rel.split(/[\\/]/).some(skippedDir);
}
