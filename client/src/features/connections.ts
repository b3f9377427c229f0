/**
 * Which database a setup talks to. Candidates, in the default order: the variables named in
 * `alembic.envVariables` (DATABASE_URL) in the setup's or the workspace's .env (the common
 * pattern where env.py reads it), the same variables in the environment, the config's
 * sqlalchemy.url, then the connections the user defined in `alembic.connections`. Without a
 * selection the first usable one is used (what Alembic itself would use, before any named one);
 * "Alembic: Select Connection" picks one per setup (kept in the workspace state, not settings).
 *
 * Passwords: from the URL in .env/environment, from VS Code's SecretStorage (asked once, when the
 * server refuses the connection), or from ~/.pgpass (read by the drivers). A password written in
 * settings is taken once and offered a move to SecretStorage. .env files are parsed with dotenv,
 * never loaded into this process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseEnv } from 'dotenv';
import * as vscode from 'vscode';
import { describeDb, parseDbUrl, passwordKey, withPassword, withoutPassword, DbUrl } from '../../../server/src/core/db/url';
import { redactUrl } from '../../../server/src/core/redact';
import type { SetupGraph } from '../../../server/src/protocol';

/** One entry of the `alembic.connections` setting. */
export interface ConnectionSetting {
  name: string;
  url: string;
  production?: boolean;
  /** `-x` arguments for env.py (`context.get_x_argument()`), e.g. "tenant=acme". */
  x?: string[];
  /** Only for the setup whose name or config path contains this text. */
  setup?: string;
}

export interface Candidate {
  /** Stable key of the candidate within its setup (what the selection remembers). */
  key: string;
  /** Short name for people: "local", "DATABASE_URL". */
  name: string;
  /** Where it comes from: ".env DATABASE_URL", "settings", "sqlalchemy.url". */
  source: string;
  raw: string;
  production?: boolean;
  x: string[];
  fromConfig: boolean;
}

export interface Connection {
  key: string;
  name: string;
  url: DbUrl;
  /** For people: dialect, host, database; no password. */
  display: string;
  source: string;
  /** The URL with its password hidden (for logs). */
  redacted: string;
  /** The URL with the password (from SecretStorage when stored there): only for the child's environment; never logged or shown. */
  raw: string;
  production: boolean;
  x: string[];
  /** True when the URL is the config's own sqlalchemy.url, unchanged. */
  fromConfig: boolean;
  /** Where the password comes from. */
  password: 'url' | 'secret' | 'none';
}

/** `selected`: the error concerns the connection the user chose (runs must not fall back to another). */
export type ConnectionResult = { connection: Connection } | { error: string; source?: string; name?: string; selected?: boolean } | undefined;

function envFile(dir: string): Record<string, string> | undefined {
  try {
    return parseEnv(fs.readFileSync(path.join(dir, '.env')));
  } catch {
    return undefined;
  }
}

function config(setup: SetupGraph): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('alembic', vscode.Uri.file(setup.cwd));
}

/** Connections whose description matches `alembic.productionPatterns` (or that say so) are production. */
export function matchesProduction(text: string, setup?: SetupGraph): boolean {
  const patterns = (setup ? config(setup) : vscode.workspace.getConfiguration('alembic')).get<string[]>('productionPatterns', []);
  return patterns.some((p) => {
    try {
      return new RegExp(p, 'i').test(text);
    } catch {
      return text.toLowerCase().includes(p.toLowerCase());
    }
  });
}

export class Connections implements vscode.Disposable {
  private emitter = new vscode.EventEmitter<void>();
  /** Fires when a selection, a password or a connection setting changes. */
  readonly onDidChange = this.emitter.event;
  private subs: vscode.Disposable[] = [this.emitter];
  private warnedSettingsPassword = new Set<string>();

  constructor(private secrets: vscode.SecretStorage, private state: vscode.Memento, private log: vscode.LogOutputChannel, private ask: (o: vscode.InputBoxOptions) => Thenable<string | undefined>) {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['alembic.connections', 'alembic.envVariables', 'alembic.productionPatterns', 'alembic.xArguments', 'alembic.versionTable'].some((k) => e.affectsConfiguration(k))) this.emitter.fire();
      }),
      secrets.onDidChange((e) => { if (e.key.startsWith('alembic.password:')) this.emitter.fire(); }),
    );
  }

  /** Every connection this setup could use, in the default order. */
  candidates(setup: SetupGraph): Candidate[] {
    const cfg = config(setup);
    const names = cfg.get<string[]>('envVariables', ['DATABASE_URL']).filter((n) => typeof n === 'string' && n);
    const globalX = cfg.get<string[]>('xArguments', []);
    const out: Candidate[] = [];
    const add = (c: Omit<Candidate, 'x'> & { x?: string[] }): void => {
      if (!c.raw.trim() || out.some((o) => o.key === c.key)) return;
      out.push({ ...c, x: [...globalX, ...(c.x ?? [])] });
    };
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(setup.cwd))?.uri.fsPath;
    const dirs = [setup.cwd, ...(folder && folder !== setup.cwd ? [folder] : [])];
    for (const [i, dir] of dirs.entries()) {
      const vars = envFile(dir);
      for (const n of names) {
        if (vars?.[n]) add({ key: `env-file:${i}:${n}`, name: n, source: `${i ? 'workspace ' : ''}.env ${n}`, raw: vars[n], fromConfig: false });
      }
    }
    for (const n of names) {
      const v = process.env[n];
      if (v) add({ key: `env:${n}`, name: n, source: `${n} environment variable`, raw: v, fromConfig: false });
    }
    if (setup.sqlalchemyUrl) add({ key: 'config', name: 'sqlalchemy.url', source: 'sqlalchemy.url', raw: setup.sqlalchemyUrl, fromConfig: true });
    for (const s of cfg.get<ConnectionSetting[]>('connections', [])) {
      if (!s || typeof s.name !== 'string' || typeof s.url !== 'string') continue;
      if (s.setup && !(setup.label.includes(s.setup) || (setup.configPath ?? '').includes(s.setup))) continue;
      add({ key: `settings:${s.name}`, name: s.name, source: 'settings', raw: s.url, production: s.production, x: Array.isArray(s.x) ? s.x.map(String) : [], fromConfig: false });
    }
    return out;
  }

  selectedKey(setup: SetupGraph): string | undefined {
    return this.state.get<string>(`alembic.connection:${setup.id}`);
  }

  async select(setup: SetupGraph, key: string | undefined): Promise<void> {
    await this.state.update(`alembic.connection:${setup.id}`, key);
    this.emitter.fire();
  }

  /** The connection a setup uses now: the selected one, else the first usable candidate. */
  async resolve(setup: SetupGraph): Promise<ConnectionResult> {
    const all = this.candidates(setup);
    const key = this.selectedKey(setup);
    const chosen = all.find((c) => c.key === key);
    if (key && !chosen) {
      return { error: `The connection selected for ${setup.label || 'this setup'} (${key.replace(/^[\w-]+:(\d+:)?/, '')}) is gone: its setting or variable was removed or renamed. Select one with "Alembic: Select Connection".`, selected: true };
    }
    if (!all.length) return undefined;
    const checked = (chosen ? [chosen] : all).map((c) => [c, this.check(setup, c)] as const);
    const [c, res] = checked.find(([, r]) => !('error' in r)) ?? checked[0];
    if ('error' in res) return { error: res.error, source: c.source, name: c.name, selected: !!chosen };
    const u = res.url;
    let raw = c.raw;
    let password: Connection['password'] = u.password !== undefined ? 'url' : 'none';
    if (u.dialect !== 'sqlite' && u.password === undefined && u.username) {
      const stored = await this.secrets.get(`alembic.password:${passwordKey(u)}`);
      if (stored !== undefined) {
        raw = withPassword(c.raw, stored);
        u.password = stored;
        password = 'secret';
      }
    }
    if (c.source === 'settings' && u.password !== undefined && password === 'url') this.warnPasswordInSettings(setup, c, u);
    const display = describeDb(u, setup.cwd);
    return {
      connection: {
        key: c.key, name: c.name, url: u, display, source: c.source, redacted: redactUrl(c.raw.trim()), raw: raw.trim(),
        production: c.production ?? matchesProduction(`${c.name} ${display}`, setup), x: c.x,
        fromConfig: c.fromConfig && raw === c.raw, password,
      },
    };
  }

  private check(setup: SetupGraph, c: Candidate): { url: DbUrl } | { error: string } {
    const parsed = parseDbUrl(c.raw);
    const who = `${c.source === 'settings' ? `The connection "${c.name}" in settings` : `The ${c.source}`} of ${setup.label || setup.id}`;
    if ('error' in parsed) return { error: `${who} is not a database URL: ${parsed.error}.` };
    if (parsed.url.dialect === 'driver') {
      return { error: `sqlalchemy.url is still the placeholder from "alembic init" (${redactUrl(c.raw)}): set it, add DATABASE_URL to .env, or add a connection in the "alembic.connections" setting.` };
    }
    const bad = c.x.find((x) => /:\/\/[^@\s]*:[^@\s]*@/.test(x) || /^[^=]*(pass|pwd|secret|token)[^=]*=/i.test(x));
    if (bad) return { error: `${who}: a -x argument looks like a secret (${bad.replace(/=.*$/s, '=***')}); -x arguments are visible in the process list. Pass secrets through DATABASE_URL or .env instead.` };
    return { url: parsed.url };
  }

  /** Asks for the password of a connection and keeps it in SecretStorage. Returns false when dismissed. */
  async promptPassword(c: Connection, why?: string): Promise<boolean> {
    const pw = await this.ask({
      title: `Password for ${c.display}`,
      prompt: `${why ? `${why} ` : ''}Kept in VS Code's secret storage (your OS keychain), never in settings.`,
      password: true, ignoreFocusOut: true,
    });
    if (pw === undefined) return false;
    await this.storePassword(c.url, pw);
    this.log.info(`stored a password for ${c.display} (${c.name}) in secret storage`);
    return true;
  }

  async storePassword(u: DbUrl, password: string): Promise<void> {
    await this.secrets.store(`alembic.password:${passwordKey(u)}`, password);
  }

  async forgetPassword(u: DbUrl): Promise<void> {
    await this.secrets.delete(`alembic.password:${passwordKey(u)}`);
  }

  private warnPasswordInSettings(setup: SetupGraph, c: Candidate, u: DbUrl): void {
    if (this.warnedSettingsPassword.has(c.name)) return;
    this.warnedSettingsPassword.add(c.name);
    const move = 'Move to Secret Storage';
    void vscode.window.showWarningMessage(`The connection "${c.name}" has its password in settings (plain text, often committed). Keep it in VS Code's secret storage instead?`, move).then(async (pick) => {
      if (pick !== move) return;
      await this.storePassword(u, u.password!);
      const cfg = config(setup);
      const info = cfg.inspect<ConnectionSetting[]>('connections');
      const scrub = (list: ConnectionSetting[] | undefined): ConnectionSetting[] | undefined =>
        list?.map((s) => (s.name === c.name ? { ...s, url: withoutPassword(s.url) } : s));
      const targets: [ConnectionSetting[] | undefined, vscode.ConfigurationTarget][] = [
        [info?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder],
        [info?.workspaceValue, vscode.ConfigurationTarget.Workspace],
        [info?.globalValue, vscode.ConfigurationTarget.Global],
      ];
      for (const [list, target] of targets) {
        if (list?.some((s) => s.name === c.name)) await cfg.update('connections', scrub(list), target);
      }
      void vscode.window.showInformationMessage(`The password of "${c.name}" is now in secret storage and gone from settings.`);
    });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
