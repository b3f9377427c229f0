// Test stages that run in a real VS Code (code-server) driven by Debian's Chromium:
//   integration: mocha inside the extension host (smoke-test driver payload)
//   ui: what a person sees, step by step, with screenshots under test/ui/screenshots/
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import * as esbuild from 'esbuild';
import { launchBrowser, root, startCodeServer } from './vscode.mjs';

/** A Python that can import alembic (the tests' oracle and the sample's migrator). */
export function alembicPython() {
  return [process.env.ALEMBIC_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean)
    .find((p) => spawnSync(p, ['-c', 'import alembic'], { stdio: 'ignore' }).status === 0);
}

/** A fresh copy of the sample project (plus extra files) in a temp folder; `upgradeTo` migrates its SQLite file with real Alembic first. */
export function sampleWorkspace(extra = {}, upgradeTo) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alembic-ws-'));
  cpSync(path.join(root, 'sample'), dir, { recursive: true, filter: (src) => !src.endsWith('app.db') });
  if (upgradeTo) {
    const py = alembicPython();
    if (!py) throw new Error('No Python with alembic (apt-get install python3-alembic): cannot prepare the sample database');
    const r = spawnSync(py, ['-m', 'alembic', 'upgrade', upgradeTo], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`alembic upgrade ${upgradeTo} failed:\n${r.stderr}`);
  }
  for (const [rel, text] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export const BROKEN = {
  'migrations/versions/a0a0a0a0a0a0_broken.py': '"""add phone to users (rebased badly)\n\nRevision ID: a0a0a0a0a0a0\nRevises: deadbeef0000\nCreate Date: 2024-05-01 10:00:00.000000\n\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a0a0a0a0a0a0"\ndown_revision = "deadbeef0000"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    op.add_column("users", sa.Column("phone", sa.String(30)))\n\n\ndef downgrade() -> None:\n    op.drop_column("users", "phone")\n',
};

export async function runIntegration() {
  const outdir = path.join(root, 'out', 'test', 'integration');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(root, 'test/integration/index.ts'), path.join(root, 'test/integration/extension.test.ts'), path.join(root, 'test/integration/database.test.ts')],
    outdir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  const workspace = sampleWorkspace(BROKEN, '708192a3b4c5');
  let server;
  let browser;
  let result = { passes: 0, failures: 1, pending: 0 };
  try {
    server = await startCodeServer({ smokeTestDriver: true });
    browser = await launchBrowser(server.tmp);
    const page = await browser.newPage();
    const auth = `127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${auth}${root}`],
      ['extensionTestsPath', `vscode-remote://${auth}${outdir}/index`],
      ['skipWelcome', 'true'],
    ];
    let done;
    const finished = new Promise((r) => { done = r; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...args);
      const m = /ALEMBIC_TEST_RESULT (\{.*\})/.exec(line);
      if (m) result = JSON.parse(m[1]);
      else if (!/^Canceled|^\s*at /.test(line)) console.log(`  ${line}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    page.on('console', (m) => { if (m.type() === 'error' && /test runner|extension/i.test(m.text())) console.log(`  [browser] ${m.text()}`); });
    await page.goto(`${server.url(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer;
    const code = await Promise.race([finished, new Promise((r) => { timer = setTimeout(() => r('timeout'), 180000); })]);
    clearTimeout(timer); // else it keeps npm test alive for up to 3 min after its summary
    if (code === 'timeout') {
      console.log('  integration tests timed out (3 min)');
      mkdirSync(path.join(root, 'test/ui/screenshots'), { recursive: true });
      await page.screenshot({ path: path.join(root, 'test/ui/screenshots/integration-timeout.png') });
      result = { passes: result.passes, failures: Math.max(1, result.failures), pending: 0 };
    } else if (code !== 0 && result.failures === 0) {
      result.failures = 1; // the host failed without a mocha report
    }
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  return { passed: result.passes, failed: result.failures + result.pending };
}

export async function runUi() {
  const { steps } = await import('../test/ui/steps.mjs');
  const shots = path.join(root, 'test', 'ui', 'screenshots');
  mkdirSync(shots, { recursive: true });
  let passed = 0;
  let failed = 0;
  for (const scenario of steps) {
    const workspace = sampleWorkspace(scenario.files ?? {}, scenario.upgradeTo);
    const empty = scenario.empty ? mkdtempSync(path.join(os.tmpdir(), 'alembic-empty-')) : undefined;
    let server;
    let browser;
    try {
      server = await startCodeServer({ settings: scenario.settings });
      browser = await launchBrowser(server.tmp);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(server.url(empty ?? workspace));
      await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
      for (const [i, step] of scenario.steps.entries()) {
        const t0 = Date.now();
        try {
          await step.run(page, { workspace, shot: (name) => page.screenshot({ path: path.join(shots, `${name}.png`) }) });
          passed++;
          console.log(`  ✔ ${scenario.name}: ${step.name} (${Date.now() - t0} ms)`);
        } catch (e) {
          failed++;
          console.log(`  ✘ ${scenario.name}: ${step.name}\n    ${(e.message ?? e).split('\n').slice(0, 6).join('\n    ')}`);
          await page.screenshot({ path: path.join(shots, `FAILED-${scenario.id}-${step.id ?? 'step'}.png`) }).catch(() => undefined);
          const rest = scenario.steps.length - i - 1;
          if (rest) console.log(`    (${rest} later step(s) of this scenario not run: counted as failed)`);
          failed += rest;
          break; // later steps build on this one
        }
      }
    } finally {
      await browser?.close();
      await server?.stop();
      rmSync(workspace, { recursive: true, force: true });
      if (empty) rmSync(empty, { recursive: true, force: true });
    }
  }
  console.log(`  screenshots: ${path.relative(root, shots)}/`);
  return { passed, failed };
}
