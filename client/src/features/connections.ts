/**
 * Which database a setup talks to, and where that came from: DATABASE_URL in the workspace's
 * .env (the common pattern where env.py reads it), DATABASE_URL in the environment, or the
 * config's sqlalchemy.url. .env files are parsed with dotenv, never loaded into this process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseEnv } from 'dotenv';
import * as vscode from 'vscode';
import { describeDb, parseDbUrl, DbUrl } from '../../../server/src/core/db/url';
import { redactUrl } from '../../../server/src/core/redact';
import type { SetupGraph } from '../../../server/src/protocol';

export interface Connection {
  url: DbUrl;
  /** For people: dialect, host, database; no password. */
  display: string;
  /** Where the URL came from, e.g. ".env DATABASE_URL". */
  source: string;
  /** The URL with its password hidden (for logs). */
  redacted: string;
  /** The URL as written: only for the child's DATABASE_URL; never logged or shown. */
  raw: string;
}

export type ConnectionResult = { connection: Connection } | { error: string; source?: string } | undefined;

function envFileVar(dir: string, name: string): string | undefined {
  const file = path.join(dir, '.env');
  try {
    return parseEnv(fs.readFileSync(file))[name];
  } catch {
    return undefined;
  }
}

export function connectionFor(setup: SetupGraph): ConnectionResult {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(setup.cwd))?.uri.fsPath;
  const candidates: [string | undefined, string][] = [
    [envFileVar(setup.cwd, 'DATABASE_URL'), '.env DATABASE_URL'],
    [folder && folder !== setup.cwd ? envFileVar(folder, 'DATABASE_URL') : undefined, 'workspace .env DATABASE_URL'],
    [process.env.DATABASE_URL, 'DATABASE_URL environment variable'],
    [setup.sqlalchemyUrl, 'sqlalchemy.url'],
  ];
  const hit = candidates.find(([v]) => v && v.trim());
  if (!hit) return undefined;
  const [raw, source] = hit as [string, string];
  const parsed = parseDbUrl(raw);
  if ('error' in parsed) return { error: `The ${source} of ${setup.label || setup.id} is not a database URL: ${parsed.error}.`, source };
  if (parsed.url.dialect === 'driver') {
    return { error: `sqlalchemy.url is still the placeholder from "alembic init" (${redactUrl(raw)}): set it, or DATABASE_URL in .env.`, source };
  }
  return { connection: { url: parsed.url, display: describeDb(parsed.url, setup.cwd), source, redacted: redactUrl(raw), raw } };
}
