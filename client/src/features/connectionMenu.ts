/**
 * "Alembic: Select Connection" (also the status bar's click): the setup's connections with where
 * each comes from, then what can be done from here: migrate a database that was never migrated
 * (upgrade, or stamp when the schema exists), upgrade what is pending, enter or forget a password,
 * add a connection, refresh.
 */
import * as vscode from 'vscode';
import { describeDb, parseDbUrl } from '../../../server/src/core/db/url';
import type { Ctx } from '../ctx';
import { pickSetup, targetOf, Target } from './workflows';

type Item = vscode.QuickPickItem & { run?: () => Promise<unknown> | unknown };

async function selectConnection(ctx: Ctx, t: Target): Promise<void> {
  const connections = ctx.connections;
  if (!connections) return;
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const candidates = connections.candidates(setup);
  const res = await connections.resolve(setup);
  const conn = res && 'connection' in res ? res.connection : undefined;
  const current = conn?.key ?? connections.selectedKey(setup);
  const st = ctx.status?.bySetup.get(setup.id);
  const items: Item[] = candidates.map((c) => {
    const parsed = parseDbUrl(c.raw);
    const what = 'url' in parsed && parsed.url.dialect !== 'driver' ? describeDb(parsed.url, setup.cwd) : 'not a usable URL';
    return {
      label: `${c.key === current ? '$(check)' : '$(blank)'} ${c.source === 'settings' ? c.name : what}`,
      description: c.source === 'settings' ? what : c.source,
      detail: c.production || (c.key === current && conn?.production) ? '$(flame) production: every run asks, and the database name must be typed' : undefined,
      run: async () => {
        await connections.select(setup, c.key);
        const now = await connections.resolve(setup);
        if (now && 'error' in now) void vscode.window.showErrorMessage(now.error);
      },
    };
  });
  if (!candidates.length) items.push({ label: '$(info) No connection found', description: 'add DATABASE_URL to .env, set sqlalchemy.url, or add one in settings' });
  const actions: Item[] = [];
  const args = { setupId: setup.id };
  if (st?.kind === 'ok' && st.status.noVersionTable) {
    const n = st.status.pending?.length;
    actions.push(
      { label: '$(arrow-up) Upgrade to heads', description: `never migrated: create the schema${n ? ` (${n} revisions)` : ''}`, run: () => vscode.commands.executeCommand('alembic.upgradeHeads', args) },
      { label: '$(tag) Stamp heads', description: 'the schema exists already: only record the heads as applied', run: () => vscode.commands.executeCommand('alembic.stamp', { ...args, revision: 'heads' }) },
    );
  } else if (st?.kind === 'ok' && st.status.pending?.length) {
    actions.push({ label: '$(arrow-up) Upgrade to heads', description: `${st.status.pending.length} pending`, run: () => vscode.commands.executeCommand('alembic.upgradeHeads', args) });
  }
  if (conn && conn.url.dialect !== 'sqlite' && conn.url.username && conn.password !== 'url') {
    actions.push({ label: '$(key) Enter password…', description: `for ${conn.display}, kept in secret storage`, run: async () => { if (await connections.promptPassword(conn)) await ctx.status?.refresh(); } });
    if (conn.password === 'secret') actions.push({ label: '$(trash) Forget stored password', description: conn.display, run: () => connections.forgetPassword(conn.url) });
  }
  actions.push(
    { label: '$(refresh) Refresh status', run: () => ctx.status?.refresh() },
    { label: '$(add) Add a connection…', description: 'alembic.connections in settings (no passwords there)', run: () => vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'alembic.connections', edit: true } }) },
  );
  const pick = await vscode.window.showQuickPick<Item>(
    [...items, { label: 'Actions', kind: vscode.QuickPickItemKind.Separator }, ...actions],
    { title: `Database of ${setup.label || 'this setup'}`, placeHolder: st?.kind === 'error' ? st.message : 'Select the connection Alembic uses, or an action', matchOnDescription: true },
  );
  await pick?.run?.();
}

export const CONNECTION_COMMANDS: Record<string, (ctx: Ctx) => (arg?: unknown) => Promise<void>> = {
  'alembic.selectConnection': (ctx) => (arg) => selectConnection(ctx, targetOf(arg)),
  'alembic.enterPassword': (ctx) => async (arg) => {
    const setup = await pickSetup(ctx, targetOf(arg));
    const res = setup && (await ctx.connections?.resolve(setup));
    if (!res || 'error' in res) {
      void vscode.window.showInformationMessage(res ? res.error : 'This setup has no database connection.');
      return;
    }
    if (res.connection.url.dialect === 'sqlite') {
      void vscode.window.showInformationMessage('SQLite databases have no password.');
      return;
    }
    if (await ctx.connections!.promptPassword(res.connection)) await ctx.status?.refresh();
  },
};
