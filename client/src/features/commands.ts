/** Commands as one table; each runs wrapped so a failure becomes a message plus a log entry. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { Node } from './historyTree';
import { WORKFLOWS } from './workflows';
import { CONNECTION_COMMANDS } from './connectionMenu';
import { cancelActiveRun } from './runner';
import { ReindexRequest } from '../../../server/src/protocol';

type Command = (ctx: Ctx) => (...args: unknown[]) => Promise<void> | void;

const revisionOf = (node: unknown): Extract<Node, { kind: 'revision' }> | undefined => {
  const n = node as Node | undefined;
  return n && n.kind === 'revision' ? n : undefined;
};

const COMMANDS: Record<string, Command> = {
  // re-reads every setup from disk (the way back after changes the file watchers missed), then the graph
  'alembic.refresh': (ctx) => async () => {
    if (!ctx.client) return;
    await vscode.window.withProgress({ location: { viewId: 'alembic.migrations' }, title: 'Reading migrations' }, async () => {
      try {
        await ctx.client!.sendRequest(ReindexRequest);
      } catch (e) {
        // (the language server restarting, say): it reads everything when it starts anyway
        ctx.log.warn(`could not ask the language server to read the migrations again: ${(e as Error).message}`);
      }
      await ctx.model?.refresh();
    });
  },
  'alembic.showLog': (ctx) => () => ctx.log.show(),
  'alembic.cancelRun': () => () => {
    if (!cancelActiveRun()) void vscode.window.showInformationMessage('No Alembic command is running.');
  },
  'alembic.refreshStatus': (ctx) => async () => {
    await ctx.status?.refresh();
  },
  'alembic.openRevision': () => async (file: unknown, line: unknown) => {
    const pos = new vscode.Position(Number(line) || 0, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(String(file)), { selection: new vscode.Range(pos, pos), preview: true });
  },
  'alembic.copyId': () => async (node: unknown) => {
    const r = revisionOf(node);
    if (!r) return;
    await vscode.env.clipboard.writeText(r.rev.id);
    void vscode.window.setStatusBarMessage(`Copied ${r.rev.id}`, 3000);
  },
  'alembic.revealFile': () => async (node: unknown) => {
    const r = revisionOf(node);
    if (r) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(r.rev.path));
  },
  'alembic.showMore': (ctx) => (setupId: unknown) => ctx.tree?.showMore(String(setupId)),
  'alembic.goToRevision': (ctx) => async () => {
    const g = ctx.model?.graph;
    if (!g?.setups.length) {
      void vscode.window.showInformationMessage('No Alembic setup found in this workspace.');
      return;
    }
    const multi = g.setups.length > 1;
    const items = g.setups.flatMap((s) => s.revisions.map((r) => ({
      label: `${r.isHead ? '$(arrow-circle-up) ' : ''}${r.id}`, description: r.message, detail: multi ? s.label : undefined, r,
    })));
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Revision id or message', matchOnDescription: true, matchOnDetail: true });
    if (pick) await vscode.commands.executeCommand('alembic.openRevision', pick.r.path, pick.r.line);
  },
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, make] of Object.entries({ ...COMMANDS, ...WORKFLOWS, ...CONNECTION_COMMANDS } as Record<string, Command>)) {
    const run = make(ctx);
    ctx.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (e) {
        ctx.log.error(`${id} failed`, e as Error);
        void vscode.window.showErrorMessage(`${id}: ${(e as Error).message}`);
      }
    }));
  }
}
