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
import { connectionFor } from './connections';
import type { GraphModel } from './model';

export type SetupStatus =
  | { kind: 'ok'; status: DbStatus; display: string; source: string }
  | { kind: 'error'; message: string; display?: string; source?: string }
  | { kind: 'none' };

export class StatusService implements vscode.Disposable {
  readonly bySetup = new Map<string, SetupStatus>();
  private emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private item = vscode.window.createStatusBarItem('alembic.status', vscode.StatusBarAlignment.Left, 50);
  private disposables: vscode.Disposable[] = [this.emitter, this.item];
  private running: Promise<void> | undefined;

  constructor(private client: LanguageClient, private model: GraphModel, private log: vscode.LogOutputChannel, private wasmDir: string) {
    this.item.name = 'Alembic status';
    this.item.command = 'alembic.refreshStatus';
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

  refresh(): Promise<void> {
    this.running ??= this.doRefresh().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async doRefresh(): Promise<void> {
    const setups = this.model.graph?.setups ?? [];
    for (const s of setups) this.bySetup.set(s.id, await this.statusOf(s));
    for (const id of [...this.bySetup.keys()]) if (!setups.some((s) => s.id === id)) this.bySetup.delete(id);
    this.render(setups);
    this.emitter.fire();
  }

  private async statusOf(s: SetupGraph): Promise<SetupStatus> {
    const c = connectionFor(s);
    if (!c) return { kind: 'none' };
    if ('error' in c) return { kind: 'error', message: c.error, source: c.source };
    const { connection } = c;
    try {
      const rows = await readAppliedVersions(connection.url, s.cwd, { name: s.versionTable?.name ?? 'alembic_version', schema: s.versionTable?.schema }, { wasmDir: this.wasmDir });
      const params: StatusParams = { setupId: s.id, applied: rows ?? null };
      const status = await this.client.sendRequest<DbStatus>(StatusRequest, params);
      return { kind: 'ok', status, display: connection.display, source: connection.source };
    } catch (e) {
      const message = e instanceof DbError ? e.message : `Reading the version table of ${connection.display} failed: ${(e as Error).message}`;
      this.log.warn(`status of ${s.id} (${connection.redacted} from ${connection.source}): ${message}`);
      return { kind: 'error', message, display: connection.display, source: connection.source };
    }
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
      this.item.text = `$(database) $(warning) ${st!.display ?? s.label}${more}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (st!.kind === 'ok') {
      const x = st!.status;
      const current = x.applied.length ? x.applied.map((a) => a.slice(0, 7)).join(', ') : 'base';
      const head = x.noVersionTable ? 'not migrated' : x.unknown.length ? `unknown revision ${x.unknown[0]}` : x.pending === undefined ? `${current}, upgrade blocked` : x.pending.length ? `${current} → ${x.pending.length} pending` : `${current}, up to date`;
      this.item.text = `$(database) ${st!.display}: ${head}${more}`;
      this.item.backgroundColor = x.unknown.length || x.pending === undefined ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    const md = new vscode.MarkdownString();
    for (const [setup, x] of shown) {
      md.appendMarkdown(`**${setup.label || path.basename(setup.cwd)}** — `);
      if (x!.kind === 'error') md.appendMarkdown(`${x!.message}\n\n`);
      else if (x!.kind === 'ok') {
        md.appendMarkdown(`${x!.display} (from ${x!.source}): ${x!.status.summary}\n\n`);
        if (x!.status.pendingError) md.appendMarkdown(`${x!.status.pendingError}\n\n`);
      }
    }
    md.appendMarkdown('_Click to refresh._');
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
