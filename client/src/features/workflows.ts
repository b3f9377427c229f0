/**
 * Alembic workflows as commands (palette, tree context menu, code lenses): current, history,
 * upgrade, downgrade, stamp, revision, revision --autogenerate, merge heads, Show SQL.
 * Destructive steps (downgrade, stamp) and anything on a production connection ask first,
 * showing the exact steps.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { RevisionInfo, SetupGraph, WalkParams, WalkResult } from '../../../server/src/protocol';
import { WalkRequest } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import type { Connection } from './connections';
import { refuseSelection, report, runAlembic, RunResult } from './runner';

/** Where a command was invoked: a tree node or code lens passes the revision; the palette nothing. */
export interface Target {
  setupId?: string;
  revision?: string;
  /** Message for revision/merge (otherwise asked). */
  message?: string;
}

export function targetOf(arg: unknown): Target {
  const a = arg as { kind?: string; setup?: SetupGraph; rev?: RevisionInfo; setupId?: string; revision?: string; message?: string } | undefined;
  if (a?.kind === 'revision' && a.setup && a.rev) return { setupId: a.setup.id, revision: a.rev.id };
  if (a?.kind === 'setup' && a.setup) return { setupId: a.setup.id };
  return { setupId: a?.setupId, revision: a?.revision, message: a?.message };
}

export async function pickSetup(ctx: Ctx, t: Target): Promise<SetupGraph | undefined> {
  const setups = ctx.model?.graph?.setups ?? [];
  if (t.setupId) return setups.find((s) => s.id === t.setupId);
  if (!setups.length) {
    void vscode.window.showInformationMessage('No Alembic setup found in this workspace.');
    return undefined;
  }
  if (setups.length === 1) return setups[0];
  const pick = await vscode.window.showQuickPick(setups.map((s) => ({ label: s.label, description: s.configPath, s })), { placeHolder: 'Which Alembic setup?' });
  return pick?.s;
}

/** A revision from the list, or a target typed as Alembic takes it (+2, -1, a partial id, branch@head). */
async function pickRevision(setup: SetupGraph, placeHolder: string, extra: { label: string; description: string }[]): Promise<string | undefined> {
  const items: vscode.QuickPickItem[] = [...extra, ...setup.revisions.map((r) => ({ label: r.id, description: r.message }))];
  const qp = vscode.window.createQuickPick();
  qp.items = items;
  qp.placeholder = `${placeHolder} (or type a target: +2, -1, a partial id, label@head)`;
  qp.matchOnDescription = true;
  qp.onDidChangeValue((v) => {
    const t = v.trim();
    const typed = /^[\w@:+-]+$/.test(t) && !items.some((i) => i.label === t) ? [{ label: t, description: 'as typed' }] : [];
    qp.items = [...typed, ...items];
  });
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.label);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

/** How much of the SQL preview a confirmation shows (the whole script opens with "Open SQL"). */
const PREVIEW_LINES = 30;

/**
 * The offline SQL of a step range (`alembic upgrade|downgrade FROM:TO --sql`), for the
 * confirmation. Undefined with a reason when Alembic cannot render it offline.
 */
async function sqlPreview(ctx: Ctx, setup: SetupGraph, args: string[], connection: Connection | undefined): Promise<{ sql: string } | { reason: string }> {
  const res = await runAlembic(ctx, setup, [...args, '--sql'], 'Alembic: preparing the SQL preview', { quiet: true, connection });
  if (!res) return { reason: 'Alembic did not run' };
  if (res.code !== 0 || res.cancelled) {
    const last = res.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${res.code}`;
    return { reason: last.replace(/[a-zA-Z][\w+.-]*:\/\/[^\s'"]+/g, '(url)') };
  }
  const sql = res.stdout.split('\n').filter((l) => l.trim() && !/^(BEGIN|COMMIT);$/.test(l.trim())).join('\n');
  return { sql };
}

/**
 * Asks before touching the database when it matters; returns false to stop. Destructive steps
 * and production connections list the exact steps and preview the SQL (offline `--sql`) when
 * Alembic can render the range; production also asks for the database name to be typed.
 */
async function confirm(ctx: Ctx, setup: SetupGraph, conn: Connection | undefined, what: string, steps: string[] | null | undefined, destructive: boolean, sqlArgs?: string[]): Promise<boolean> {
  const display = conn ? conn.display : 'the database in the config';
  const prod = conn?.production ?? false;
  if (!destructive && !prod) return true;
  let preview = '';
  let sql = '';
  if (sqlArgs) {
    const p = await sqlPreview(ctx, setup, sqlArgs, conn);
    if ('sql' in p) {
      sql = p.sql;
      const lines = p.sql.split('\n');
      preview = `\n\nSQL (alembic ${sqlArgs.join(' ')} --sql):\n${lines.slice(0, PREVIEW_LINES).join('\n')}${lines.length > PREVIEW_LINES ? `\n… ${lines.length - PREVIEW_LINES} more lines ("Open SQL" shows all)` : ''}`;
    } else preview = `\n\nNo SQL preview: ${p.reason}`;
  }
  const stepText = steps === null ? `Steps: not known here (the live status cannot read ${conn?.url.dialect ?? 'this database'}); Alembic works them out.` : steps?.length ? `Steps, in order:\n${steps.map((s) => `  ${s} ${setup.revisions.find((r) => r.id === s)?.message ?? ''}`).join('\n')}` : 'No migration steps.';
  const detail = `${display}${conn ? ` (${conn.source === 'settings' ? `connection "${conn.name}"` : `from ${conn.source}`})` : ''}${prod ? ' — PRODUCTION' : ''}\n\n${stepText}${preview}`;
  for (;;) {
    const answer = await ctx.confirm(`${what} on ${display}?`, detail, prod ? 'Continue…' : what, sql ? ['Open SQL'] : []);
    if (answer === 'Open SQL') {
      const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: `-- alembic ${sqlArgs!.join(' ')} --sql  (preview; nothing has run)\n${sql}\n` });
      await vscode.window.showTextDocument(doc, { preview: true });
      continue;
    }
    if (answer !== true) return false;
    break;
  }
  if (!prod) return true;
  const db = conn?.url.database ?? display;
  const typed = await ctx.ask({ prompt: `${display} is marked as production. Type the database name (${db}) to ${what.toLowerCase()}.`, ignoreFocusOut: true });
  if (typed !== db && typed !== undefined) void vscode.window.showWarningMessage(`Not run: "${typed}" is not ${db}.`);
  return typed === db;
}

/**
 * What the database has, from the status, when the status is of this very connection; undefined
 * when it is not known (an error, or a status still of the previous selection).
 */
function applied(ctx: Ctx, setup: SetupGraph, conn: Connection | undefined): string[] | undefined {
  const st = ctx.status?.bySetup.get(setup.id);
  return st?.kind === 'ok' && st.connection.key === conn?.key && st.connection.display === conn.display ? st.status.applied : undefined;
}

/**
 * The connection a run uses, resolved once for its confirmation, preview and run; false (after
 * telling the user) when the selected one does not work.
 */
async function connectionOf(ctx: Ctx, setup: SetupGraph): Promise<Connection | undefined | false> {
  const c = await ctx.connections?.resolve(setup);
  if (c && 'error' in c && c.selected) {
    refuseSelection(setup, c.error);
    return false;
  }
  return c && 'connection' in c ? c.connection : undefined;
}

/** `FROM:TO` for an offline (`--sql`) preview, when one revision is applied (or none). */
function offlineRange(ctx: Ctx, setup: SetupGraph, conn: Connection | undefined, to: string): string | undefined {
  const cur = applied(ctx, setup, conn);
  if (!cur || cur.length > 1) return undefined;
  return cur.length ? `${cur[0]}:${to}` : to;
}

/** Where a downgrade walk ends: the parent of its last step (undefined below a merge). */
function downgradeEnd(setup: SetupGraph, steps: string[]): string | undefined {
  const last = setup.revisions.find((r) => r.id === steps[steps.length - 1]);
  if (!last || last.down.length > 1) return undefined;
  return last.down[0] ?? 'base';
}

/** The steps from what the database has to `target`; null when the database cannot be read here (Alembic decides). */
async function walk(ctx: Ctx, setup: SetupGraph, conn: Connection | undefined, kind: 'upgrade' | 'downgrade', target: string): Promise<string[] | { error: string } | null> {
  await ctx.status?.refresh(); // the walk starts from what the database has now
  const current = applied(ctx, setup, conn);
  if (!current && conn) {
    const st = ctx.status?.bySetup.get(setup.id);
    // a dialect the live status cannot read: Alembic alone knows the steps
    if (st?.kind === 'error' && st.errorKind === 'unsupported') return null;
    return { error: `the state of ${conn.display} is not known (see the status bar); "Alembic: Refresh Database Status" and try again` };
  }
  const params: WalkParams = { setupId: setup.id, kind, current: current ?? [], target };
  const w = await ctx.client!.sendRequest<WalkResult>(WalkRequest, params);
  return 'error' in w ? w : w.steps;
}

/** What upgrade, downgrade and stamp start from: the setup, the target (asked unless given) and the one connection of the run. */
async function begin(ctx: Ctx, t: Target, placeHolder: string, extra: { label: string; description: string }[]): Promise<{ setup: SetupGraph; target: string; conn: Connection | undefined } | undefined> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return undefined;
  const target = t.revision ?? (await pickRevision(setup, placeHolder, extra));
  if (!target) return undefined;
  const conn = await connectionOf(ctx, setup);
  return conn === false ? undefined : { setup, target, conn };
}

async function upgrade(ctx: Ctx, t: Target): Promise<void> {
  const b = await begin(ctx, t, 'Upgrade to…', [{ label: 'heads', description: 'every head' }, { label: 'head', description: 'the single head' }, { label: '+1', description: 'one step' }]);
  if (!b) return;
  const { setup, target, conn } = b;
  const steps = await walk(ctx, setup, conn, 'upgrade', target);
  if (steps && !Array.isArray(steps)) {
    void vscode.window.showErrorMessage(`Cannot upgrade to ${target}: ${steps.error}`);
    return;
  }
  const range = steps?.length ? offlineRange(ctx, setup, conn, steps[steps.length - 1]) : undefined;
  if (!(await confirm(ctx, setup, conn, 'Upgrade', steps, false, range ? ['upgrade', range] : undefined))) return;
  await report(ctx, await runAlembic(ctx, setup, ['upgrade', target], `Alembic: upgrade ${target}`, { connection: conn }), `Upgrade to ${target}`);
}

async function downgrade(ctx: Ctx, t: Target): Promise<void> {
  const b = await begin(ctx, t, 'Downgrade to…', [{ label: '-1', description: 'one step back' }, { label: 'base', description: 'undo everything' }]);
  if (!b) return;
  const { setup, target, conn } = b;
  const steps = await walk(ctx, setup, conn, 'downgrade', target);
  if (steps && !Array.isArray(steps)) {
    void vscode.window.showErrorMessage(`Cannot downgrade to ${target}: ${steps.error}`);
    return;
  }
  if (steps && !steps.length) {
    void vscode.window.showInformationMessage(`Nothing to downgrade: ${target} is not below what the database has.`);
    return;
  }
  const end = steps ? downgradeEnd(setup, steps) : undefined;
  const range = end ? offlineRange(ctx, setup, conn, end) : undefined;
  if (!(await confirm(ctx, setup, conn, 'Downgrade', steps, true, range ? ['downgrade', range] : undefined))) return;
  await report(ctx, await runAlembic(ctx, setup, ['downgrade', target], `Alembic: downgrade ${target}`, { connection: conn }), `Downgrade to ${target}`);
}

async function stamp(ctx: Ctx, t: Target): Promise<void> {
  const b = await begin(ctx, t, 'Stamp the database as…', [{ label: 'heads', description: 'mark every head applied' }, { label: 'base', description: 'mark nothing applied' }]);
  if (!b) return;
  const { setup, target, conn } = b;
  await ctx.status?.refresh();
  const range = offlineRange(ctx, setup, conn, target);
  if (!(await confirm(ctx, setup, conn, `Stamp ${target}`, [], true, range ? ['stamp', range] : undefined))) return;
  await report(ctx, await runAlembic(ctx, setup, ['stamp', target], `Alembic: stamp ${target}`, { connection: conn }), `Stamp ${target}`);
}

/** Offline SQL for the exact range (`upgrade from:to --sql`), opened in an SQL editor. */
async function showSql(ctx: Ctx, t: Target): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const rev = t.revision ?? (await pickRevision(setup, 'SQL of which revision?', []));
  if (!rev) return;
  const r = setup.revisions.find((x) => x.id === rev);
  if (!r) return;
  if (r.down.length > 1) {
    void vscode.window.showInformationMessage(`${rev} is a merge point: its SQL is usually empty; showing upgrade ${r.down.join(',')}:${rev} is not supported offline by Alembic.`);
    return;
  }
  const range = `${r.down[0] ?? 'base'}:${rev}`;
  const res = await runAlembic(ctx, setup, ['upgrade', range, '--sql'], `Alembic: SQL of ${rev}`);
  if (res && res.code === 0) {
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: `-- alembic upgrade ${range} --sql  (${path.basename(setup.configPath ?? '')})\n${res.stdout}` });
    await vscode.window.showTextDocument(doc, { preview: true });
    return;
  }
  await report(ctx, res, `SQL of ${rev}`);
}

async function showOutput(ctx: Ctx, t: Target, args: string[], what: string): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const res = await runAlembic(ctx, setup, args, `Alembic: ${what}`);
  if (res && res.code === 0) {
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: `$ alembic ${args.join(' ')}\n\n${res.stdout || res.stderr}` });
    await vscode.window.showTextDocument(doc, { preview: true });
    return;
  }
  await report(ctx, res, what);
}

async function newRevision(ctx: Ctx, t: Target, autogenerate: boolean): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const message = t.message ?? await vscode.window.showInputBox({ prompt: autogenerate ? 'Message of the autogenerated revision' : 'Message of the new revision', placeHolder: 'add users table', ignoreFocusOut: true });
  if (!message) return;
  const args = ['revision', '-m', message, ...(autogenerate ? ['--autogenerate'] : [])];
  const res = await runAlembic(ctx, setup, args, `Alembic: ${autogenerate ? 'autogenerate' : 'new revision'}`);
  if (await report(ctx, res, autogenerate ? 'Autogenerate' : 'New revision')) await openGenerated(res!);
}

/** Opens the file Alembic reports as "Generating /path/to/versions/abc_msg.py ...  done" (its advice: review what it wrote). */
async function openGenerated(res: RunResult): Promise<void> {
  const m = /Generating (.+?\.py)/.exec(res.stdout + res.stderr);
  if (m) await vscode.window.showTextDocument(vscode.Uri.file(m[1].trim()));
}

async function mergeHeads(ctx: Ctx, t: Target): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  if (setup.heads.length < 2) {
    void vscode.window.showInformationMessage(`${setup.label || 'This setup'} has a single head: nothing to merge.`);
    return;
  }
  const message = t.message ?? await vscode.window.showInputBox({ prompt: `Message of the merge revision (${setup.heads.join(', ')})`, value: 'merge heads', ignoreFocusOut: true });
  if (!message) return;
  const res = await runAlembic(ctx, setup, ['merge', '-m', message, 'heads'], 'Alembic: merge heads');
  if (await report(ctx, res, 'Merge heads')) await openGenerated(res!);
}

export const WORKFLOWS: Record<string, (ctx: Ctx) => (arg?: unknown) => Promise<void>> = {
  'alembic.upgrade': (ctx) => (arg) => upgrade(ctx, targetOf(arg)),
  'alembic.upgradeHeads': (ctx) => (arg) => upgrade(ctx, { ...targetOf(arg), revision: 'heads' }),
  'alembic.downgrade': (ctx) => (arg) => downgrade(ctx, targetOf(arg)),
  'alembic.stamp': (ctx) => (arg) => stamp(ctx, targetOf(arg)),
  'alembic.showSql': (ctx) => (arg) => showSql(ctx, targetOf(arg)),
  'alembic.current': (ctx) => (arg) => showOutput(ctx, targetOf(arg), ['current', '--verbose'], 'current'),
  'alembic.history': (ctx) => (arg) => showOutput(ctx, targetOf(arg), ['history', '--indicate-current'], 'history'),
  'alembic.revision': (ctx) => (arg) => newRevision(ctx, targetOf(arg), false),
  'alembic.autogenerate': (ctx) => (arg) => newRevision(ctx, targetOf(arg), true),
  'alembic.mergeHeads': (ctx) => (arg) => mergeHeads(ctx, targetOf(arg)),
};
