/**
 * Live status: reads each setup's version table directly (no Python), asks the server what is
 * pending, shows it in the status bar and the Migrations view. Refreshes when the graph changes,
 * on "Alembic: Refresh Status", and every 30 s while the window has focus.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DbError, readAppliedVersions } from '../db/versionTable';
import { DbStatus, SetupGraph, StatusParams, StatusRequest } from '../../../server/src/protocol';
import type { Connection, Connections } from './connections';
import type { GraphModel } from './model';
import { whereIs } from './provenance';

export type SetupStatus =
  | { kind: 'ok'; status: DbStatus; display: string; source: string; connection: Connection; whereIs?: string }
  | { kind: 'error'; message: string; display?: string; source?: string; connection?: Connection; errorKind?: DbError['kind'] }
  | { kind: 'none' };

export class StatusService implements vscode.Disposable {
  readonly bySetup = new Map<string, SetupStatus>();
  private emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private item = vscode.window.createStatusBarItem('alembic.status', vscode.StatusBarAlignment.Left, 50);
  private disposables: vscode.Disposable[] = [this.emitter, this.item];
  private running: Promise<void> | undefined;
  private again: Promise<void> | undefined;

  /** Auth failures already offered a password prompt (once per connection and message). */
  private offered = new Set<string>();

  constructor(private client: LanguageClient, private model: GraphModel, private connections: Connections, private log: vscode.LogOutputChannel, private wasmDir: string) {
    this.item.name = 'Alembic status';
    this.item.command = 'alembic.selectConnection';
    this.disposables.push(connections.onDidChange(() => void this.refresh()), vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()));
    // Graph changes come with every keystroke in a migration; the database only needs a new look
    // when the revisions or their parents changed.
    let shape = '';
    this.disposables.push(model.onDidChange(() => {
      const next = (model.graph?.setups ?? []).map((s) => `${s.id}:${s.cwd}:${s.sqlalchemyUrl ?? ''}:${s.revisions.map((r) => `${r.id}<${r.down.join(',')}`).join(' ')}`).join('\n');
      if (next === shape) return;
      shape = next;
      void this.refresh();
    }));
    const timer = setInterval(() => { if (vscode.window.state.focused) void this.refresh(); }, 30000);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  /** One read at a time; a request during a read runs once more after it (a new selection, a new password). */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.doRefresh().finally(() => { this.running = undefined; });
      return this.running;
    }
    const next = (): Promise<void> => {
      this.again = undefined;
      return this.refresh();
    };
    this.again ??= this.running.then(next, next);
    return this.again;
  }

  private async doRefresh(): Promise<void> {
    const setups = this.model.graph?.setups ?? [];
    for (const s of setups) {
      try {
        this.bySetup.set(s.id, await this.statusOf(s));
      } catch (e) {
        this.log.error(`status of ${s.id} failed`, e as Error);
        this.bySetup.set(s.id, { kind: 'error', message: `Reading the status failed: ${(e as Error).message}` });
      }
    }
    for (const id of [...this.bySetup.keys()]) if (!setups.some((s) => s.id === id)) this.bySetup.delete(id);
    this.render(setups);
    this.emitter.fire();
  }

  private async statusOf(s: SetupGraph): Promise<SetupStatus> {
    // .env and the settings of an untrusted folder could point us (and a stored password) anywhere
    if (!vscode.workspace.isTrusted) return { kind: 'error', message: 'Trust this workspace to see the database status: it reads .env and connects to the database named there.' };
    const c = await this.connections.resolve(s);
    if (!c) return { kind: 'none' };
    if ('error' in c) return { kind: 'error', message: c.error, source: c.source };
    const { connection } = c;
    try {
      const rows = await readAppliedVersions(connection.url, s.cwd, versionTableOf(s), { wasmDir: this.wasmDir });
      const params: StatusParams = { setupId: s.id, applied: rows ?? null };
      const status = await this.client.sendRequest<DbStatus>(StatusRequest, params);
      const where = status.unknown.length ? await whereIs(status.unknown[0], s, this.model.graph?.setups ?? []) : undefined;
      if (where) this.explainUnknown(s, connection, status.unknown[0], where);
      return { kind: 'ok', status, display: connection.display, source: connection.source, connection, whereIs: where };
    } catch (e) {
      const message = e instanceof DbError ? e.message : `Reading the version table of ${connection.display} failed: ${(e as Error).message}`;
      const errorKind = e instanceof DbError ? e.kind : 'other';
      this.log.warn(`status of ${s.id} (${connection.redacted} from ${connection.source}): ${message}`);
      if (errorKind === 'auth' && connection.password !== 'url') this.offerPassword(s, connection, message);
      return { kind: 'error', message, display: connection.display, source: connection.source, connection, errorKind };
    }
  }

  /** The database is ahead of the files: say so once per revision, with where it went. */
  private explainUnknown(s: SetupGraph, c: Connection, id: string, where: string): void {
    const key = `unknown|${s.id}|${c.key}|${id}`;
    if (this.offered.has(key)) return;
    this.offered.add(key);
    this.log.warn(`${c.display} has revision ${id}, which ${s.label || 'the files'} lack: ${where}`);
    void vscode.window.showWarningMessage(`${c.display} has revision ${id}, which these migration files lack (Alembic: "Can't locate revision"). ${where}`, 'Select Connection').then((pick) => {
      if (pick) void vscode.commands.executeCommand('alembic.selectConnection', { setupId: s.id });
    });
  }

  /** A refused or missing password: offer to enter it (once per connection and error; not awaited). */
  private offerPassword(s: SetupGraph, c: Connection, message: string): void {
    const key = `${s.id}|${c.key}|${c.password}|${message}`;
    if (this.offered.has(key)) return;
    this.offered.add(key);
    const enter = 'Enter Password';
    void vscode.window.showWarningMessage(`${s.label || 'Alembic'}: ${message}`, enter, 'Select Connection').then(async (pick) => {
      if (pick === enter && (await this.connections.promptPassword(c, c.password === 'secret' ? 'The stored password was refused.' : undefined))) await this.refresh();
      else if (pick) await vscode.commands.executeCommand('alembic.selectConnection', { setupId: s.id });
    });
  }

  private render(setups: SetupGraph[]): void {
    const shown = setups.map((s) => [s, this.bySetup.get(s.id)] as const).filter(([, st]) => st && st.kind !== 'none');
    if (!shown.length) {
      this.item.hide();
      return;
    }
    const [s, st] = shown.find(([, x]) => x!.kind === 'error' || (x!.kind === 'ok' && (x!.status.pending?.length || x!.status.unknown.length))) ?? shown[0];
    const more = shown.length > 1 ? ` +${shown.length - 1}` : '';
    if (st!.kind === 'error') {
      this.item.text = `$(database) $(warning) ${st!.connection ? nameOf(st!.connection) : st!.display ?? s.label}${more}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (st!.kind === 'ok') {
      const x = st!.status;
      const current = x.applied.length ? x.applied.map((a) => a.slice(0, 7)).join(', ') : 'base';
      const head = x.noVersionTable ? 'not migrated' : x.unknown.length ? `unknown revision ${x.unknown[0]}` : x.pending === undefined ? `${current}, upgrade blocked` : x.pending.length ? `${current} → ${x.pending.length} pending` : `${current}, up to date`;
      this.item.text = `$(database) ${nameOf(st!.connection)}: ${head}${more}`;
      this.item.backgroundColor = x.unknown.length || x.pending === undefined ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    const md = new vscode.MarkdownString();
    md.isTrusted = { enabledCommands: ['alembic.upgradeHeads', 'alembic.stamp'] };
    for (const [setup, x] of shown) {
      md.appendMarkdown(`**${setup.label || path.basename(setup.cwd)}** — `);
      if (x!.kind === 'error') md.appendMarkdown(`${x!.message}\n\n`);
      else if (x!.kind === 'ok') {
        md.appendMarkdown(`${x!.display} (from ${x!.source})${x!.connection.production ? ' — **production**' : ''}: ${x!.status.summary}\n\n`);
        if (x!.status.pendingError) md.appendMarkdown(`${x!.status.pendingError}\n\n`);
        if (x!.whereIs) md.appendMarkdown(`${x!.whereIs}\n\n`);
        const arg = (extra: object): string => encodeURIComponent(JSON.stringify([{ setupId: setup.id, ...extra }]));
        if (x!.status.noVersionTable) {
          md.appendMarkdown(`[Upgrade to heads](command:alembic.upgradeHeads?${arg({})}) (create the schema) · [Stamp heads](command:alembic.stamp?${arg({ revision: 'heads' })}) (the schema exists already)\n\n`);
        } else if (x!.status.pending?.length) {
          md.appendMarkdown(`[Upgrade to heads](command:alembic.upgradeHeads?${arg({})})\n\n`);
        }
      }
    }
    md.appendMarkdown('_Click to select the connection, refresh, or migrate._');
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The status bar's name for a connection: the user's name for it, else what it points at. */
function nameOf(c: Connection): string {
  return `${c.production ? '$(flame) ' : ''}${c.source === 'settings' ? c.name : c.display}`;
}

/** The version table: the `alembic.versionTable` setting ("name" or "schema.name"), else what env.py passes, else alembic_version. */
export function versionTableOf(s: SetupGraph): { name: string; schema?: string } {
  const set = vscode.workspace.getConfiguration('alembic', vscode.Uri.file(s.cwd)).get<string>('versionTable', '').trim();
  if (set) {
    const dot = set.lastIndexOf('.');
    return dot > 0 ? { schema: set.slice(0, dot), name: set.slice(dot + 1) } : { name: set };
  }
  return { name: s.versionTable?.name ?? 'alembic_version', schema: s.versionTable?.schema };
}
