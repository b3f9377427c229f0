/**
 * Reads the applied revisions straight from the database's version table (no Python): SQLite
 * through sql.js (WASM), PostgreSQL through pg and MySQL/MariaDB through mysql2 (pure JS). Errors become DbError with a message
 * that names the database (never its password) and says what to do.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeDb, DbUrl, sqliteFile } from '../../../server/src/core/db/url';
import { pgpassPassword } from './pgpass';

export class DbError extends Error {
  constructor(message: string, readonly kind: 'unreachable' | 'auth' | 'denied' | 'missing-database' | 'unsupported' | 'timeout' | 'other') {
    super(message);
  }
}

export interface VersionTable {
  name: string;
  schema?: string;
}

/** Applied revision ids, or undefined when the version table does not exist (never migrated). */
/** `wasmDir` holds sql.js's sql-wasm.wasm (the extension's dist/). */
export async function readAppliedVersions(u: DbUrl, cwd: string, table: VersionTable, opts: { timeoutMs?: number; wasmDir: string }): Promise<string[] | undefined> {
  if (u.dialect === 'sqlite') return readSqlite(u, cwd, table, opts.wasmDir);
  if (u.dialect === 'postgresql' || u.dialect === 'postgres') return readPostgres(u, table, opts.timeoutMs ?? 4000);
  if (u.dialect === 'mysql' || u.dialect === 'mariadb') return readMysql(u, table, opts.timeoutMs ?? 4000);
  throw new DbError(`Live status reads PostgreSQL, MySQL/MariaDB and SQLite databases; ${u.dialect} is not supported yet (Alembic itself still works with it).`, 'unsupported');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
function quoteIdent(name: string): string {
  return IDENT.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

let sqlJs: Promise<import('sql.js').SqlJsStatic> | undefined;
function loadSqlJs(wasmDir: string): Promise<import('sql.js').SqlJsStatic> {
  sqlJs ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const init = require('sql.js') as typeof import('sql.js').default;
    return init({ locateFile: (f: string) => path.join(wasmDir, f) });
  })();
  return sqlJs;
}

async function readSqlite(u: DbUrl, cwd: string, table: VersionTable, wasmDir: string): Promise<string[] | undefined> {
  const file = sqliteFile(u, cwd);
  if (!file) throw new DbError('An in-memory SQLite database (sqlite://) has no state to read between runs.', 'unsupported');
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // Alembic creates it on the first upgrade
    throw new DbError(`Cannot read the SQLite file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}.`, 'other');
  }
  const SQL = await loadSqlJs(wasmDir);
  let db: import('sql.js').Database;
  try {
    db = new SQL.Database(bytes);
  } catch (e) {
    throw new DbError(`${file} is not a SQLite database (${(e as Error).message}).`, 'other');
  }
  try {
    const name = table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
    const res = db.exec(`SELECT version_num FROM ${name}`);
    return res.length ? res[0].values.map((r) => String(r[0])) : [];
  } catch (e) {
    if (/no such table/i.test((e as Error).message)) return undefined;
    throw new DbError(`Reading ${table.name} from ${path.basename(file)} failed: ${(e as Error).message}.`, 'other');
  } finally {
    db.close();
  }
}

async function readPostgres(u: DbUrl, table: VersionTable, timeoutMs: number): Promise<string[] | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const where = describeDb(u, '');
  const host = u.query.host || u.host || 'localhost';
  const port = u.port ?? 5432;
  // pg's own defaults for a URL without them (an empty value counts as none, as in pg and libpq)
  const user = u.username || process.env.PGUSER || (process.platform === 'win32' ? process.env.USERNAME : process.env.USER);
  const database = u.database || process.env.PGDATABASE || user;
  const client = new Client({
    host, port, user: u.username,
    // libpq's order: the URL's password, PGPASSWORD, then the password file (read when the server
    // asks for a password; pg takes undefined for "none", though its types say string)
    password: u.password || process.env.PGPASSWORD || ((): string => pgpassPassword({ host, port, database, user }) as string),
    database: u.database, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, statement_timeout: timeoutMs,
    application_name: 'alembic-migrations-vscode',
  });
  client.on('error', () => undefined); // a dropped connection must not crash the host
  try {
    await client.connect();
  } catch (e) {
    throw pgError(e as Error & { code?: string }, where);
  }
  try {
    const name = table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
    const res = await client.query(`SELECT version_num FROM ${name}`);
    return res.rows.map((r: { version_num: string }) => r.version_num);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === '42P01' || err.code === '3F000') return undefined; // no such table / schema
    throw pgError(err, where);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readMysql(u: DbUrl, table: VersionTable, timeoutMs: number): Promise<string[] | undefined> {
  let mysql: typeof import('mysql2/promise');
  try {
    // its own bundle (dist/mysql2.js), loaded only here
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  } catch (e) {
    throw new DbError(`The MySQL driver of this extension could not be loaded (${(e as Error).message.split('\n')[0]}): reinstall or rebuild the extension.`, 'unsupported');
  }
  const where = describeDb(u, '');
  let conn: import('mysql2/promise').Connection;
  try {
    conn = await mysql.createConnection({
      host: u.host ?? 'localhost', port: u.port ?? 3306, user: u.username, password: u.password, database: u.database,
      socketPath: u.query.unix_socket, connectTimeout: timeoutMs,
    });
  } catch (e) {
    throw mysqlError(e as Error & { code?: string }, where);
  }
  conn.on('error', () => undefined);
  try {
    const name = `${table.schema ? `\`${table.schema.replace(/`/g, '``')}\`.` : ''}\`${table.name.replace(/`/g, '``')}\``;
    const [rows] = await conn.query({ sql: `SELECT version_num FROM ${name}`, timeout: timeoutMs });
    return (rows as { version_num: string }[]).map((r) => r.version_num);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'ER_NO_SUCH_TABLE' || err.code === 'ER_BAD_DB_ERROR') return undefined;
    throw mysqlError(err, where);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** The messages both servers share: what happened, then what to do. */
const told = {
  refused: (where: string, msg: string) => new DbError(`${where}: the password was refused (${msg}). Check the user and password of this connection.`, 'auth'),
  missing: (where: string, msg: string) => new DbError(`${where}: the database does not exist (${msg}). Create it, or fix the database name in the URL.`, 'missing-database'),
  unreachable: (where: string, code: string) => new DbError(`${where}: cannot connect (${code}). Is the server running and the host/port right?`, 'unreachable'),
  timeout: (where: string) => new DbError(`${where}: no answer within the time limit. Is the host reachable?`, 'timeout'),
};
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH']);
const hidePasswords = (m: string): string => m.replace(/:\/\/[^@\s]*@/g, '://***@');

function mysqlError(e: Error & { code?: string }, where: string): DbError {
  const msg = hidePasswords(e.message);
  if (e.code && UNREACHABLE.has(e.code)) return told.unreachable(where, e.code);
  switch (e.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return told.refused(where, msg);
    case 'ER_DBACCESS_DENIED_ERROR':
      return new DbError(`${where}: this user may not use the database (${msg}): grant it access (GRANT ... ON db.*), or use another user.`, 'denied');
    case 'ER_BAD_DB_ERROR':
      return told.missing(where, msg);
    case 'ETIMEDOUT':
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
      return told.timeout(where);
  }
  return new DbError(`${where}: ${msg}`, 'other');
}

function pgError(e: Error & { code?: string }, where: string): DbError {
  const msg = hidePasswords(e.message);
  if (e.code && UNREACHABLE.has(e.code)) return told.unreachable(where, e.code);
  switch (e.code) {
    case '28P01':
      return told.refused(where, msg);
    case '28000':
      return new DbError(`${where}: the server does not let this user in from here (${msg}): its access rules (pg_hba.conf) decide, not the password. Ask the database's administrator, or use another user or host.`, 'denied');
    case '3D000':
      return told.missing(where, msg);
  }
  if (/password must be a (non-empty )?string|no password (was )?supplied|password authentication failed/i.test(msg)) {
    return new DbError(`${where}: the server asks for a password and none was given. Enter it (kept in secret storage), or put it in ~/.pgpass or the URL in .env.`, 'auth');
  }
  if (/timeout|timed out/i.test(msg)) return told.timeout(where);
  if (/terminat|Connection ended|ECONNRESET/i.test(msg)) return new DbError(`${where}: the server closed the connection (${msg}). Is it shutting down or restarting?`, 'unreachable');
  return new DbError(`${where}: ${msg}`, 'other');
}
