/**
 * SQLAlchemy database URLs (`dialect[+driver]://user:password@host:port/database?query`), as
 * SQLAlchemy's make_url reads them: percent-escapes decoded in user and password, SQLite's
 * `sqlite:///relative.db`, `sqlite:////absolute.db` and `sqlite://` (memory).
 */
import * as path from 'path';

export interface DbUrl {
  dialect: string;
  driver?: string;
  username?: string;
  password?: string;
  host?: string;
  port?: number;
  database?: string;
  query: Record<string, string>;
}

export type ParsedUrl = { url: DbUrl } | { error: string };

/**
 * SQLAlchemy's own pattern (engine/url.py _parse_url, the same in 1.4 and 2.0), matched from the
 * start like Python's re.match: the user runs to the last "@" before a ":" or "/", the password
 * to the next "@" (a raw "@" in a password ends it there, as SQLAlchemy reads it — the driver
 * then connects to what follows), a database is taken as written (not unquoted).
 */
const PATTERN = /^([\w+]+):\/\/(?:([^:/]*)(?::([^@]*))?@)?(?:(?:\[([^/?]+)\]|([^/:?]+))?(?::([^/?]*))?)?(?:\/([^?]*))?(?:\?(.*))?/;

/** Python's urllib.parse.unquote: each run of valid %XX escapes decoded as UTF-8 (bad bytes become U+FFFD), anything else kept. */
function unquote(s: string): string {
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** Python's urllib.parse.parse_qsl (keep_blank_values off): "&"-separated, split at the first "=", "+" is a space; blank values dropped. */
function parseQuery(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of q.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0 || eq === part.length - 1) continue;
    out[unquote(part.slice(0, eq).replace(/\+/g, ' '))] = unquote(part.slice(eq + 1).replace(/\+/g, ' ')); // a repeated key: the last (SQLAlchemy passes a list)
  }
  return out;
}

/** A SQLAlchemy URL, read as make_url reads it; an error when SQLAlchemy would refuse it too. */
export function parseDbUrl(raw: string): ParsedUrl {
  const text = raw.trim();
  if (!text) return { error: 'the URL is empty' };
  const m = PATTERN.exec(text);
  if (!m) return { error: 'it is not of the form dialect[+driver]://user:password@host:port/database' };
  const [, name, user, pass, ipv6, ipv4, port, db, query] = m;
  // (the messages quote neither: with a raw "@" in a password, they may hold part of it)
  if (ipv4?.includes('@')) return { error: 'SQLAlchemy ends a password at its first "@" and would take the rest, up to the last "@", for the host: write an "@" in a password as %40' };
  if (port && !/^\d+$/.test(port)) return { error: 'the port is not a number (SQLAlchemy ends a password at its first "@": write "@" in a password as %40, ":" as %3A)' };
  const [dialect, driver] = name.split('+');
  if (!dialect) return { error: 'it has no dialect before "://"' };
  return {
    url: {
      dialect: dialect.toLowerCase(), driver: driver || undefined, username: user === undefined ? undefined : unquote(user), password: pass === undefined ? undefined : unquote(pass),
      host: ipv4 || ipv6 || undefined, port: port ? Number(port) : undefined,
      database: db || undefined, query: query === undefined ? {} : parseQuery(query),
    },
  };
}

/** The file of a SQLite URL (relative paths resolve against `cwd`, where Alembic runs); undefined for memory. */
export function sqliteFile(u: DbUrl, cwd: string): string | undefined {
  if (!u.database || u.database === ':memory:') return undefined;
  return path.isAbsolute(u.database) ? u.database : path.resolve(cwd, u.database);
}

/** A short, password-free description for the status bar and messages. */
export function describeDb(u: DbUrl, cwd: string): string {
  if (u.dialect === 'sqlite') {
    const f = sqliteFile(u, cwd);
    return f ? `SQLite ${path.basename(f)}` : 'SQLite (memory)';
  }
  return `${u.dialect} ${u.username ? `${u.username}@` : ''}${u.host ?? 'localhost'}${u.port ? `:${u.port}` : ''}/${u.database ?? ''}`;
}

/**
 * `raw` with its password set to `password` (percent-encoded, as SQLAlchemy's make_url decodes it).
 * The user runs to the "@" make_url ends it at (it may hold "@": written %40 here, so the password
 * added after it cannot move that boundary).
 */
export function withPassword(raw: string, password: string): string {
  const m = /^([\w+]+:\/\/)([^:/]*)(?::[^@]*)?@(.*)$/s.exec(raw.trim());
  if (!m) return raw;
  return `${m[1]}${m[2].replace(/@/g, '%40')}:${encodeURIComponent(password)}@${m[3]}`;
}

/** The key a password is kept under: the URL's identity without its password. */
export function passwordKey(u: DbUrl): string {
  // the host the driver really connects to: ?host= / ?unix_socket= win over the URL's host
  const host = u.query.host ?? u.query.unix_socket ?? u.host ?? 'localhost';
  const port = u.port ?? DEFAULT_PORT[u.dialect] ?? '';
  return `${u.dialect}://${u.username ?? ''}@${host}:${port}/${u.database ?? ''}`;
}

const DEFAULT_PORT: Record<string, number> = { postgresql: 5432, postgres: 5432, mysql: 3306, mariadb: 3306 };

/** `raw` without its password (the user stays). */
export function withoutPassword(raw: string): string {
  // as redactUrl: the userinfo ends at the last "@" (a raw "@" or "/" in the password stays inside it)
  const m = /^([a-zA-Z][\w+.-]*:\/\/)(.*)$/s.exec(raw.trim());
  if (!m) return raw;
  const at = m[2].lastIndexOf('@');
  const colon = m[2].indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return raw;
  return `${m[1]}${m[2].slice(0, colon)}${m[2].slice(at)}`;
}
