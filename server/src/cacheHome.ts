/** Where the CLI keeps its caches (its code cache, `--cache`): shared by both bundles. */
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
