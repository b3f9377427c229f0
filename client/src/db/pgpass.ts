/**
 * libpq's password file, read the way libpq reads it (fe-connect.c, passwordFromFile), so the
 * status finds the password Alembic's driver finds: `PGPASSFILE`, else `~/.pgpass`
 * (`%APPDATA%\postgresql\pgpass.conf` on Windows); lines `host:port:database:user:password`, `*`
 * matches anything, `\` escapes `:` and `\`; the first matching line wins. On Unix a file that
 * group or others may read is ignored, as libpq does. (pg 8 still reads it itself, with a
 * deprecation warning, and pg 9 will not: the status gives pg the password instead.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface PgTarget {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
}

/** Where libpq looks for the password file. */
export function pgpassPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.PGPASSFILE) return env.PGPASSFILE;
  if (platform === 'win32') return env.APPDATA ? path.join(env.APPDATA, 'postgresql', 'pgpass.conf') : undefined;
  const home = env.HOME || os.homedir();
  return home ? path.join(home, '.pgpass') : undefined;
}

/** The password the file gives for a connection; undefined when no line matches (or there is no usable file). */
export function pgpassPassword(target: PgTarget, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const file = pgpassPath(env, platform);
  if (!file) return undefined;
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return undefined;
    if (platform !== 'win32' && (st.mode & 0o077) !== 0) return undefined; // libpq: "permissions should be u=rw (0600) or less"
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return matchPgpass(text, target, env);
}

const DEFAULT_SOCKET_DIRS = new Set(['/tmp', '/var/run/postgresql', '/run/postgresql']);

/** The password of the first line of a password file's text that matches the connection (none when that line's is empty). */
export function matchPgpass(text: string, target: PgTarget, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // libpq's defaults for what the connection leaves out; its default socket directory counts as
  // localhost. Which directory that is depends on how libpq was built (upstream /tmp, Debian's
  // /var/run/postgresql, /run/postgresql elsewhere): any of them counts here, a little wider than
  // one libpq build (a line for localhost then also serves a socket directory it would not).
  const host = !target.host || DEFAULT_SOCKET_DIRS.has(target.host.replace(/\/+$/, '')) ? 'localhost' : target.host;
  const port = String(target.port ?? 5432);
  const user = target.user ?? env.PGUSER ?? env.USER ?? env.USERNAME ?? '';
  const database = target.database ?? user;
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    let at = 0;
    for (const want of [host, port, database, user]) {
      at = fieldMatches(line, at, want);
      if (at < 0) break;
    }
    if (at < 0) continue;
    let password = '';
    for (let i = at; i < line.length && line[i] !== ':'; i++) {
      if (line[i] === '\\' && i + 1 < line.length) i++;
      password += line[i];
    }
    return password || undefined; // an empty one is none (libpq: "password is empty" / not supplied)
  }
  return undefined;
}

/** libpq's pwdfMatchesString: the field at `at` is `*` or `want` (with `\` escapes), then ":"; where the next field starts, or -1. */
function fieldMatches(line: string, at: number, want: string): number {
  if (line[at] === '*' && line[at + 1] === ':') return at + 2;
  let i = at;
  for (let k = 0; k < want.length; k++, i++) {
    if (line[i] === '\\' && i + 1 < line.length) i++;
    if (line[i] !== want[k]) return -1;
  }
  return line[i] === ':' ? i + 1 : -1;
}
