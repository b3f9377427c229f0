/**
 * Runs the user's own Alembic (`python -m alembic -c CONFIG -n SECTION ...`) in the setup's
 * folder: argument arrays, never a shell; the connection through DATABASE_URL in the child's
 * environment, never argv; progress with Cancel (SIGINT to the process group, so Alembic rolls
 * back what it can); output in the Alembic log with passwords hidden; Alembic's known errors
 * explained.
 */
import { spawn } from 'child_process';
import * as vscode from 'vscode';
import { redactUrl } from '../../../server/src/core/redact';
import type { SetupGraph } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import type { Connection } from './connections';
import { choosePython } from './python';
import { WITH_URL } from './pythonEntry';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
}

/** Advice for the errors users meet most (matched on Alembic's own wording). */
const ADVICE: [RegExp, string][] = [
  [/Multiple head revisions are present/i, 'The history has several heads: merge them ("Alembic: Merge Heads") or upgrade to "heads" / a "branch@head".'],
  [/Can't locate revision identified by/i, 'The database holds a revision these files lack: the database is ahead of this code, or a migration file was deleted or renamed. Check out the code that created it, or stamp the database to an existing revision.'],
  [/Target database is not up to date/i, 'Autogenerate compares against an up-to-date database: upgrade it to the heads first.'],
  [/already exists|Duplicate column|DuplicateTable|DuplicateColumn/i, 'The schema already has this change but the version table does not (DDL run by hand, or an earlier failed run). If the schema is right, "Alembic: Stamp" the database to this revision.'],
  [/No module named/i, 'A module imported by env.py or a migration is missing from this Python: pick the project\'s virtualenv (alembic.pythonPath or the Python extension).'],
  [/password authentication failed|Access denied for user|no password supplied/i, 'The server refused the user or password: run "Alembic: Enter Database Password…" (kept in secret storage), or fix the URL in .env.'],
  [/database "[^"]*" does not exist|Unknown database/i, 'The database named in the URL does not exist on that server: create it (createdb / CREATE DATABASE), or fix the name.'],
  [/invalid interpolation syntax/i, 'env.py copies the URL into sqlalchemy.url without escaping "%" (passwords with special characters are percent-encoded): use os.environ["DATABASE_URL"].replace("%", "%%").'],
  [/could not connect|Connection refused|OperationalError/i, 'The database did not answer: check that it is running and the connection URL.'],
];

/** The run in progress (one at a time per window), for "Alembic: Cancel Running Command". */
let active: { cancel(): void; what: string } | undefined;

export function cancelActiveRun(): boolean {
  if (!active) return false;
  active.cancel();
  return true;
}

export function adviceFor(text: string): string | undefined {
  return ADVICE.find(([re]) => re.test(text))?.[1];
}

/** Hides passwords of any URL in a line of output. */
function scrub(line: string): string {
  return line.replace(/[a-zA-Z][\w+.-]*:\/\/[^\s'"]+/g, (u) => redactUrl(u));
}

/** The connection the user chose does not work now: say so, run nothing, offer to choose again. */
export function refuseSelection(setup: SetupGraph, error: string): void {
  void vscode.window.showErrorMessage(`${error} Nothing was run.`, 'Select Connection').then((pick) => { if (pick) void vscode.commands.executeCommand('alembic.selectConnection', { setupId: setup.id }); });
}

/**
 * `quiet`: progress in the status bar instead of a notification (previews that run before a
 * confirmation). `connection`: the one the user confirmed (resolved once, so the run cannot
 * switch to another database in between).
 */
export async function runAlembic(ctx: Ctx, setup: SetupGraph, args: string[], title: string, opts: { quiet?: boolean; connection?: Connection } = {}): Promise<RunResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('Alembic runs the project\'s Python code: trust this workspace first (Manage Workspace Trust). The history and diagnostics work without it.');
    return undefined;
  }
  if (!setup.configPath) {
    void vscode.window.showErrorMessage(`${setup.label}: running Alembic needs a config file (alembic.ini). Add one, or name it in the "alembic.configs" setting.`);
    return undefined;
  }
  const py = await choosePython(setup.cwd, ctx.log);
  if ('error' in py) {
    void vscode.window.showErrorMessage(py.error, 'Open Settings').then((pick) => { if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'alembic.pythonPath'); });
    return undefined;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
  const c = opts.connection ? { connection: opts.connection } : await ctx.connections?.resolve(setup);
  const conn = c && 'connection' in c ? c.connection : undefined;
  if (c && 'error' in c) {
    if (c.selected) {
      refuseSelection(setup, c.error); // never fall back to another database than the chosen one
      return undefined;
    }
    ctx.log.warn(`${c.error} Running Alembic with the config as it is.`);
  }
  let entry = ['-m', 'alembic'];
  let via = '';
  if (conn) {
    // The chosen connection reaches env.py through the environment (never argv): the variables
    // env.py reads (DATABASE_URL), and sqlalchemy.url itself unless it is the config's own.
    for (const name of vscode.workspace.getConfiguration('alembic', vscode.Uri.file(setup.cwd)).get<string[]>('envVariables', ['DATABASE_URL'])) env[name] = conn.raw;
    env.ALEMBIC_MIGRATIONS_URL = conn.raw;
    if (!conn.fromConfig) env.ALEMBIC_MIGRATIONS_SET_URL = '1';
    entry = ['-c', WITH_URL];
    via = `   [database: ${conn.redacted} from ${conn.source}${conn.password === 'secret' ? ', password from secret storage' : ''}${conn.fromConfig ? '' : '; sqlalchemy.url set to it'}]`;
  }
  const xs = (conn?.x ?? []).flatMap((x) => ['-x', x]);
  const argv = [...entry, '-c', setup.configPath, '-n', setup.section, ...xs, ...args];
  const shown = ['alembic', '-c', setup.configPath, '-n', setup.section, ...xs, ...args];
  ctx.log.info(`$ ${py.executable} -m ${shown.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}   (in ${setup.cwd})${via}`);
  return vscode.window.withProgress({ location: opts.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    new Promise<RunResult>((resolve) => {
      const child = spawn(py.executable, argv, { cwd: setup.cwd, env, detached: true });
      let stdout = '';
      let stderr = '';
      let cancelled = false;
      const onLine = (chunk: Buffer, sink: 'out' | 'err'): void => {
        const text = chunk.toString();
        if (sink === 'out') stdout += text;
        else stderr += text;
        for (const line of text.split('\n').filter(Boolean)) {
          const clean = scrub(line);
          ctx.log.info(`  ${clean}`);
          const m = /Running (upgrade|downgrade|stamp_revision) (.*)$/.exec(clean);
          if (m) progress.report({ message: `${m[1]} ${m[2]}` });
        }
      };
      child.stdout.on('data', (d: Buffer) => onLine(d, 'out'));
      child.stderr.on('data', (d: Buffer) => onLine(d, 'err'));
      const cancel = (): void => {
        if (cancelled) return;
        cancelled = true;
        ctx.log.warn('cancel requested: interrupting Alembic (SIGINT: it rolls back the running step where the database allows), then terminating after 5 s');
        try { process.kill(-child.pid!, 'SIGINT'); } catch { /* gone */ }
        const t = setTimeout(() => { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } }, 5000);
        child.on('close', () => clearTimeout(t));
      };
      active = { cancel, what: title };
      const sub = token.onCancellationRequested(cancel);
      child.on('error', (e) => {
        sub.dispose();
        active = undefined;
        resolve({ code: null, stdout, stderr: `${stderr}${e.message}`, cancelled });
      });
      child.on('close', (code) => {
        sub.dispose();
        active = undefined;
        ctx.log.info(`alembic ${args[0]} finished: ${cancelled ? 'cancelled' : `exit ${code}`}`);
        resolve({ code, stdout, stderr, cancelled });
      });
    }));
}

/** Shows the outcome: errors plainly with advice; then refreshes the graph and the status. */
export async function report(ctx: Ctx, r: RunResult | undefined, what: string): Promise<boolean> {
  await Promise.all([ctx.model?.refresh(), ctx.status?.refresh()]);
  if (!r) return false;
  if (r.cancelled) {
    void vscode.window.showWarningMessage(`${what}: cancelled. The database status was re-read; see "Alembic: Show Log" for what ran.`);
    return false;
  }
  if (r.code === 0) return true;
  const lines = scrub(r.stderr).split('\n').map((l) => l.trim()).filter(Boolean);
  const main = lines.find((l) => /^FAILED:|Error|error:/.test(l)) ?? lines[lines.length - 1] ?? `exit ${r.code}`;
  const advice = adviceFor(r.stderr);
  ctx.log.error(`${what} failed: ${main}${advice ? ` — ${advice}` : ''}`);
  // not awaited: the command finishes now; the toast stays until the user closes it
  void vscode.window.showErrorMessage(`${what} failed: ${main}${advice ? `\n${advice}` : ''}`, 'Show Log').then((pick) => { if (pick) ctx.log.show(); });
  return false;
}
