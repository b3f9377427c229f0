/** Where and how the CLI keeps its caches (its code cache, `--cache`): shared by both bundles. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * `$XDG_CACHE_HOME/alembic-migrations`, or `~/.cache/alembic-migrations`: a relative
 * XDG_CACHE_HOME is ignored, as the XDG spec says (it would put the cache in the project).
 * Undefined when there is no home folder (a user without a passwd entry and no HOME).
 */
export function cacheHome(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME;
  try {
    return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'alembic-migrations');
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache file whole, then renames it into place (a concurrent reader sees the old file or
 * the new one, never half), in folders only the user can open. Throws what the disk throws.
 */
export function writeWhole(file: string, data: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
