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
import { connectionFor } from './connections';
import { report, runAlembic } from './runner';

/** Where a command was invoked: a tree node or code lens passes the revision; the palette nothing. */
export interface Target {
  setupId?: string;
  revision?: string;
  /** Message for revision/merge (otherwise asked). */
  message?: string;
}

function targetOf(arg: unknown): Target {
  const a = arg as { kind?: string; setup?: SetupGraph; rev?: RevisionInfo; setupId?: string; revision?: string; message?: string } | undefined;
  if (a?.kind === 'revision' && a.setup && a.rev) return { setupId: a.setup.id, revision: a.rev.id };
  if (a?.kind === 'setup' && a.setup) return { setupId: a.setup.id };
  return { setupId: a?.setupId, revision: a?.revision, message: a?.message };
}

async function pickSetup(ctx: Ctx, t: Target): Promise<SetupGraph | undefined> {
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

async function pickRevision(setup: SetupGraph, placeHolder: string, extra: { label: string; description: string }[]): Promise<string | undefined> {
  const items = [...extra, ...setup.revisions.map((r) => ({ label: r.id, description: r.message }))];
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return pick?.label;
}

function isProduction(display: string): boolean {
  const patterns = vscode.workspace.getConfiguration('alembic').get<string[]>('productionPatterns', []);
  return patterns.some((p) => {
    try {
      return new RegExp(p, 'i').test(display);
    } catch {
      return display.toLowerCase().includes(p.toLowerCase());
    }
  });
}

/** Asks before touching the database when it matters; returns false to stop. */
async function confirm(ctx: Ctx, setup: SetupGraph, what: string, steps: string[] | undefined, destructive: boolean): Promise<boolean> {
  const c = connectionFor(setup);
  const display = c && 'connection' in c ? c.connection.display : 'the database in the config';
  const prod = isProduction(display);
  if (!destructive && !prod) return true;
  const detail = `${display}${c && 'connection' in c ? ` (from ${c.connection.source})` : ''}\n\n${steps?.length ? `Steps, in order:\n${steps.map((s) => `  ${s} ${setup.revisions.find((r) => r.id === s)?.message ?? ''}`).join('\n')}` : 'No migration steps.'}`;
  const ok = await ctx.confirm(`${what} on ${display}?`, detail, prod ? 'Continue…' : what);
  if (!ok) return false;
  if (!prod) return true;
  const db = c && 'connection' in c ? c.connection.url.database ?? display : display;
  const typed = await vscode.window.showInputBox({ prompt: `${display} is marked as production. Type the database name (${db}) to ${what.toLowerCase()}.`, ignoreFocusOut: true });
  return typed === db;
}

async function walk(ctx: Ctx, setup: SetupGraph, kind: 'upgrade' | 'downgrade', target: string): Promise<string[] | { error: string }> {
  const st = ctx.status?.bySetup.get(setup.id);
  const current = st?.kind === 'ok' ? st.status.applied : [];
  const params: WalkParams = { setupId: setup.id, kind, current, target };
  const w = await ctx.client!.sendRequest<WalkResult>(WalkRequest, params);
  return 'error' in w ? w : w.steps;
}

async function upgrade(ctx: Ctx, t: Target): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const target = t.revision ?? (await pickRevision(setup, 'Upgrade to…', [{ label: 'heads', description: 'every head' }, { label: 'head', description: 'the single head' }, { label: '+1', description: 'one step' }]));
  if (!target) return;
  const steps = await walk(ctx, setup, 'upgrade', target);
  if (!Array.isArray(steps)) {
    void vscode.window.showErrorMessage(`Cannot upgrade to ${target}: ${steps.error}`);
    return;
  }
  if (!(await confirm(ctx, setup, 'Upgrade', steps, false))) return;
  await report(ctx, await runAlembic(ctx, setup, ['upgrade', target], `Alembic: upgrade ${target}`), `Upgrade to ${target}`);
}

async function downgrade(ctx: Ctx, t: Target): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const target = t.revision ?? (await pickRevision(setup, 'Downgrade to…', [{ label: '-1', description: 'one step back' }, { label: 'base', description: 'undo everything' }]));
  if (!target) return;
  const steps = await walk(ctx, setup, 'downgrade', target);
  if (!Array.isArray(steps)) {
    void vscode.window.showErrorMessage(`Cannot downgrade to ${target}: ${steps.error}`);
    return;
  }
  if (!steps.length) {
    void vscode.window.showInformationMessage(`Nothing to downgrade: ${target} is not below what the database has.`);
    return;
  }
  if (!(await confirm(ctx, setup, 'Downgrade', steps, true))) return;
  await report(ctx, await runAlembic(ctx, setup, ['downgrade', target], `Alembic: downgrade ${target}`), `Downgrade to ${target}`);
}

async function stamp(ctx: Ctx, t: Target): Promise<void> {
  const setup = await pickSetup(ctx, t);
  if (!setup) return;
  const target = t.revision ?? (await pickRevision(setup, 'Stamp the database as…', [{ label: 'heads', description: 'mark every head applied' }, { label: 'base', description: 'mark nothing applied' }]));
  if (!target) return;
  if (!(await confirm(ctx, setup, `Stamp ${target}`, [], true))) return;
  await report(ctx, await runAlembic(ctx, setup, ['stamp', target], `Alembic: stamp ${target}`), `Stamp ${target}`);
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
  if (!(await report(ctx, res, autogenerate ? 'Autogenerate' : 'New revision')) || !res) return;
  // "Generating /path/to/versions/abc_msg.py ...  done": open it (Alembic's advice: review autogenerated files)
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
  if (!(await report(ctx, res, 'Merge heads')) || !res) return;
  const m = /Generating (.+?\.py)/.exec(res.stdout + res.stderr);
  if (m) await vscode.window.showTextDocument(vscode.Uri.file(m[1].trim()));
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
