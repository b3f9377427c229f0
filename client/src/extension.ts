/** Extension entry: create the context, start it; a failed start is shown (VS Code would not) and rethrown. */
import * as vscode from 'vscode';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<Ctx["api"]> {
  ctx = new Ctx(context);
  try {
    await ctx.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`Alembic Migrations failed to start: ${(e as Error).message}. See "Alembic: Show Log".`);
    ctx.log.error('start failed', e as Error);
    throw e;
  }
  return ctx.api;
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
