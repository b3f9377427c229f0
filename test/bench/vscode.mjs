// Benchmark figures in a real VS Code (code-server + Debian Chromium, see scripts/vscode.mjs):
// opening a workspace with a large history until the first diagnostics show, and opening the
// Migrations view until the first page of the history is on screen. Opt-in (BENCH_VSCODE=1):
// it installs code-server once (~1.5 min) and keeps both cores busy while it runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXTENSION_ID, launchBrowser, startCodeServer } from '../../scripts/vscode.mjs';

/** When VS Code activated this extension (wall clock, ms), from the extension host's log. */
function activatedAt(tmp) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(path.join(tmp, 'user', 'logs')).filter((x) => x.endsWith('exthost.log'))) {
    const m = new RegExp(`^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*_doActivateExtension ${EXTENSION_ID.replace('.', '\\.')}`, 'm').exec(readFileSync(f, 'utf8'));
    if (m) return new Date(m[1].replace(' ', 'T')).getTime(); // the log's local time, as Date reads it
  }
  return undefined;
}

const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Polls `test` in the page until it is true; returns the milliseconds since t0. */
async function until(page, t0, test, arg, timeout = 120000) {
  await page.waitForFunction(test, arg, { timeout, polling: 20 });
  return since(t0);
}

/**
 * One opening of `dir` (a history with errors; with `warm`, in a VS Code already open on an empty
 * folder): { workbenchMs, diagnosticsMs, activationMs, treeMs }.
 * activationMs: VS Code activating this extension (extension host log) → diagnostics on screen.
 * workbenchMs: navigation → the workbench is on screen; diagnosticsMs: navigation → the status
 * bar counts errors; treeMs: click on the Alembic view → the newest revision is in the tree
 * (after the history has arrived, i.e. the click-to-render time of the first page).
 */
export async function openWorkspace(dir, newestMessage, { warm = false } = {}) {
  const cs = await startCodeServer();
  let browser;
  let empty;
  try {
    if (warm) empty = mkdtempSync(path.join(os.tmpdir(), 'alembic-bench-empty-'));
    browser = await launchBrowser(cs.tmp);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    if (empty) {
      // VS Code already running (on a folder without Alembic, so this extension stays asleep),
      // then File > Open Folder: the window reloads on the workspace
      await page.goto(cs.url(empty));
      await page.waitForFunction(() => !!document.querySelector('.monaco-workbench .part.statusbar'), null, { timeout: 120000 });
      await page.waitForTimeout(3000); // its extension host settles
    }
    const t0 = process.hrtime.bigint();
    await page.goto(cs.url(dir));
    const workbenchMs = await until(page, t0, () => !!document.querySelector('.monaco-workbench .part.statusbar'));
    // the status bar's problems item reads "Errors: N, Warnings: M" once diagnostics arrived
    const diagnosticsMs = await until(page, t0, () => {
      const el = document.getElementById('status.problems');
      const label = el?.getAttribute('aria-label') ?? el?.textContent ?? '';
      return /Errors?: *[1-9]/.test(label);
    });
    const diagnosticsAt = Date.now();
    await page.waitForTimeout(300); // the log is written asynchronously
    const activated = activatedAt(cs.tmp);
    const activationMs = activated === undefined ? undefined : diagnosticsAt - activated;
    // wait until the extension has the history (its welcome view is gone once ready), then time the view
    await page.waitForTimeout(500);
    const tab = page.getByRole('tab', { name: /^Alembic/ });
    await tab.waitFor({ timeout: 60000 });
    const t1 = process.hrtime.bigint();
    await tab.click();
    const treeMs = await until(page, t1, (text) => [...document.querySelectorAll('[role="treeitem"]')].some((e) => (e.textContent ?? '').includes(text)), newestMessage);
    return { workbenchMs, diagnosticsMs, activationMs, treeMs };
  } finally {
    await browser?.close().catch(() => undefined);
    await cs.stop();
    if (empty) rmSync(empty, { recursive: true, force: true });
  }
}
