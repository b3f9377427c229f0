/** Helpers shared by the extension-host test files. */
import * as fs from 'fs';
import * as path from 'path';
import type * as vscode from 'vscode';

/** Polls `what` every 100 ms until it is truthy; fails with `label` after `ms`. */
export async function until<T>(what: () => T | undefined | false | Promise<T | undefined | false>, label: string, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The text of the extension's log files (what "Alembic: Show Log" shows), read from disk. */
export function logText(extension: vscode.ExtensionContext): string {
  const logs = path.dirname(path.dirname(extension.logUri.fsPath));
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Alembic/.test(e.name)) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(logs);
  return out.join('\n');
}
