/**
 * Owns the extension's lifetimes: the log, the language client, the graph model, the views
 * and the commands. Everything registered goes into `subscriptions`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './features/commands';
import { HistoryTree } from './features/historyTree';
import { startLanguageClient } from './features/languageClient';
import { GraphModel } from './features/model';
import { StatusService } from './features/status';
import { MigrationLenses } from './features/codeLens';
import { Connections } from './features/connections';
import { FolderWatchers } from './features/watchers';

export class Ctx {
  readonly log: vscode.LogOutputChannel;
  client: LanguageClient | undefined;
  model: GraphModel | undefined;
  tree: HistoryTree | undefined;
  status: StatusService | undefined;
  connections: Connections | undefined;
  treeView: vscode.TreeView<unknown> | undefined;

  /**
   * Asks before a risky step (a modal dialog): true for `button`, the text of one of `others`, or
   * false when dismissed. Tests replace it: a modal cannot be answered from the extension host.
   */
  confirm = async (message: string, detail: string, button: string, others: string[] = []): Promise<true | string | false> => {
    const pick = await vscode.window.showWarningMessage(message, { modal: true, detail }, button, ...others);
    return pick === button ? true : pick ?? false;
  };

  /** Asks for text (a database name to type, a password). Tests replace it, as `confirm`. */
  ask = (options: vscode.InputBoxOptions): Thenable<string | undefined> => vscode.window.showInputBox(options);

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Alembic', { log: true });
    extension.subscriptions.push(this.log);
  }

  get subscriptions(): vscode.Disposable[] {
    return this.extension.subscriptions;
  }

  /** What tests (and other extensions) get from activate(). */
  get api(): { model: GraphModel | undefined; tree: HistoryTree | undefined; status: StatusService | undefined; connections: Connections | undefined; ctx: Ctx } {
    return { model: this.model, tree: this.tree, status: this.status, connections: this.connections, ctx: this };
  }

  async start(): Promise<void> {
    this.log.info(`Alembic Migrations ${this.extension.extension.packageJSON.version} starting; workspace folders: ${(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath).join(', ') || '(none)'}`);
    void vscode.commands.executeCommand('setContext', 'alembic.ready', false);
    this.client = await startLanguageClient(this);
    this.model = new GraphModel(this.client, this.log);
    this.subscriptions.push(this.model, new FolderWatchers(this.client, this.model));
    this.connections = new Connections(this.extension.secrets, this.extension.workspaceState, this.log, (o) => this.ask(o));
    this.subscriptions.push(this.connections);
    this.status = new StatusService(this.client, this.model, this.connections, this.log, this.extension.asAbsolutePath('dist'));
    this.subscriptions.push(this.status);
    this.tree = new HistoryTree(this.model, this.status);
    const lenses = new MigrationLenses(this.model, this.status);
    this.subscriptions.push(lenses, vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'python' }, lenses));
    this.treeView = vscode.window.createTreeView('alembic.migrations', { treeDataProvider: this.tree, showCollapseAll: true });
    this.subscriptions.push(this.treeView, this.tree);
    this.subscriptions.push(this.model.onDidChange(() => this.updateContext()));
    registerCommands(this);
    await this.model.refresh();
  }

  private updateContext(): void {
    const g = this.model?.graph;
    void vscode.commands.executeCommand('setContext', 'alembic.ready', !!g?.ready);
    void vscode.commands.executeCommand('setContext', 'alembic.hasSetups', !!g?.setups.length);
    if (this.treeView && g) {
      const heads = g.setups.reduce((n, s) => n + (s.heads.length > 1 ? 1 : 0), 0);
      this.treeView.badge = heads ? { value: heads, tooltip: `${heads} setup(s) with multiple heads` } : undefined;
    }
  }

  async stop(): Promise<void> {
    await this.client?.stop();
  }
}
