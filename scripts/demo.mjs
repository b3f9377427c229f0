// npm run demo: builds the extension, prepares the sample workspace (a small Alembic project with
// a branchy history and an embedded SQLite database), starts a real VS Code (code-server) with
// the extension installed, prints the URL, and runs until Ctrl-C.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CACHE, ensureCodeServer, root, startCodeServer } from './vscode.mjs';

const step = (msg) => console.log(`\n▸ ${msg}`);

step('Building the extension');
const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);

step('Preparing VS Code (code-server) in .cache/');
ensureCodeServer((m) => console.log(`  ${m}`));

step('Preparing the sample workspace');
const workspace = path.join(CACHE, 'demo-workspace');
rmSync(workspace, { recursive: true, force: true });
cpSync(path.join(root, 'sample'), workspace, { recursive: true, filter: (src) => !src.endsWith('app.db') });
console.log(`  ${workspace} (a fresh copy of sample/ on every run)`);

// The embedded database: apply part of the history with the real Alembic, so the database is
// behind the heads. Needs a Python that can import alembic (Debian: apt-get install python3-alembic).
const python = [process.env.ALEMBIC_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean)
  .find((p) => spawnSync(p, ['-c', 'import alembic'], { stdio: 'ignore' }).status === 0);
if (python) {
  const r = spawnSync(python, ['-m', 'alembic', 'upgrade', '708192a3b4c5'], { cwd: workspace, encoding: 'utf8' });
  if (r.status === 0 && existsSync(path.join(workspace, 'app.db'))) console.log(`  app.db (SQLite) upgraded to 708192a3b4c5 with ${python} -m alembic`);
  else console.log(`  could not create app.db with ${python} -m alembic:\n${(r.stderr || '').split('\n').slice(-5).join('\n')}`);
} else {
  console.log('  no Python with alembic found: app.db not created (apt-get install python3-alembic, or set ALEMBIC_PYTHON)');
}

step('Starting VS Code');
const server = await startCodeServer({ env: process.env.ALEMBIC_PYTHON ? { ALEMBIC_PYTHON: process.env.ALEMBIC_PYTHON } : {} });
console.log(`\n  Open this URL in a browser:\n\n    ${server.url(workspace)}\n\n  (the Alembic view is in the activity bar; Ctrl-C here stops VS Code)`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping VS Code...');
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
