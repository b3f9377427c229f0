/** Starts the language server (dist/server.js) over IPC and keeps its settings in sync. */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { ServerSettings, SettingsNotification, WATCHED_GLOBS } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';

export function currentSettings(): ServerSettings {
  const configs: Record<string, string[]> = {};
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    configs[f.uri.toString()] = vscode.workspace.getConfiguration('alembic', f.uri).get<string[]>('configs', []);
  }
  return { configs };
}

export async function startLanguageClient(ctx: Ctx): Promise<LanguageClient> {
  const module = ctx.extension.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const watchers = WATCHED_GLOBS.map((g) => vscode.workspace.createFileSystemWatcher(g));
  ctx.subscriptions.push(...watchers);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'python' }],
    synchronize: { fileEvents: watchers },
    initializationOptions: currentSettings(),
    outputChannel: ctx.log,
  };
  const client = new LanguageClient('alembic', 'Alembic', serverOptions, clientOptions);
  await client.start();
  ctx.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('alembic.configs')) {
      const s = currentSettings();
      ctx.log.info(`settings changed: alembic.configs = ${JSON.stringify(s.configs)}`);
      void client.sendNotification(SettingsNotification, s);
    }
  }));
  ctx.log.info(`language server started; alembic.configs = ${JSON.stringify(currentSettings().configs)}`);
  return client;
}
