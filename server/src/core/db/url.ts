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

const PATTERN = /^([a-zA-Z][\w]*)(?:\+([\w]+))?:\/\/(?:([^:/@]*)(?::(.*))?@)?(\[[^\]]+\]|[^/:?]*)?(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/s;

export function parseDbUrl(raw: string): ParsedUrl {
  const text = raw.trim();
  if (!text) return { error: 'the URL is empty' };
  const m = PATTERN.exec(text);
  if (!m) return { error: 'it is not of the form dialect[+driver]://user:password@host:port/database' };
  const [, dialect, driver, user, pass, host, port, db, query] = m;
  const dec = (s: string | undefined): string | undefined => {
    if (s === undefined) return undefined;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const q: Record<string, string> = {};
  for (const part of (query ?? '').split('&').filter(Boolean)) {
    const [k, v = ''] = part.split('=');
    q[dec(k)!] = dec(v)!;
  }
  return {
    url: {
      dialect: dialect.toLowerCase(), driver, username: dec(user) || undefined, password: dec(pass),
      host: host ? host.replace(/^\[|\]$/g, '') : undefined, port: port ? Number(port) : undefined,
      database: db ? dec(db) : undefined, query: q,
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

/** `raw` with its password set to `password` (percent-encoded, as SQLAlchemy's make_url decodes it). */
export function withPassword(raw: string, password: string): string {
  const m = /^([a-zA-Z][\w+.-]*:\/\/)([^:/@]*)(?::[^@]*)?@(.*)$/s.exec(raw.trim());
  if (!m) return raw;
  return `${m[1]}${m[2]}:${encodeURIComponent(password)}@${m[3]}`;
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
