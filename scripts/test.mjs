// npm test: type check, build, then each test stage in turn (one after another: 2 cores).
// Ends with one summary line "N passed, N failed" that CI reads.
//   node scripts/test.mjs [stage...]   stages: unit conformance
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import Mocha from 'mocha';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const ALL = ['unit', 'conformance', 'integration', 'ui'];
const VSCODE_STAGES = new Set(['integration', 'ui']);
const stages = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
let passed = 0;
let failed = 0;

function step(name, cmd, args) {
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`${name} failed (exit ${r.status})`);
    failed++;
    return false;
  }
  passed++;
  return true;
}

function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

async function runStage(stage) {
  console.log(`\n== ${stage} tests`);
  const src = testFiles(path.join(root, 'test', stage));
  const outdir = path.join(root, 'out', 'test', stage);
  rmSync(outdir, { recursive: true, force: true });
  try {
    await esbuild.build({
    entryPoints: src, outdir, outbase: path.join(root, 'test', stage), bundle: true, platform: 'node',
    target: 'node20', format: 'cjs', sourcemap: 'inline', external: ['mocha', 'web-tree-sitter', 'vscode'], logLevel: 'warning',
    });
  } catch {
    console.log(`${stage}: the tests do not compile (see above); counted as one failure`);
    failed++;
    return;
  }
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: stage === 'conformance' ? 120000 : 20000, color: false });
  for (const f of src) mocha.addFile(path.join(outdir, path.relative(path.join(root, 'test', stage), f).replace(/\.ts$/, '.js')));
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('end', () => {
      const s = runner.stats;
      passed += s.passes;
      failed += s.failures + s.pending; // a skipped test is not a pass
      if (s.pending) console.log(`${s.pending} skipped test(s) counted as failed`);
    });
  });
}

async function runVsCodeStage(stage) {
  console.log(`\n== ${stage} tests (real VS Code: code-server + Chromium)`);
  try {
    const { runIntegration, runUi } = await import('./vscode-tests.mjs');
    const r = stage === 'integration' ? await runIntegration() : await runUi();
    console.log(`${stage}: ${r.passed} passed, ${r.failed} failed`);
    passed += r.passed;
    failed += r.failed;
  } catch (e) {
    console.log(`${stage} could not run: ${e.stack ?? e}`);
    failed++;
  }
}

const t0 = Date.now();
// both always run: a type error should not hide test results (each failure counts once)
step('type check (tsc --noEmit)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', '.', '--noEmit']);
step('build (esbuild)', process.execPath, [path.join(root, 'scripts/build.mjs')]);
for (const s of stages) {
  if (!ALL.includes(s)) {
    console.log(`unknown stage ${s}`);
    failed++;
    continue;
  }
  if (VSCODE_STAGES.has(s)) await runVsCodeStage(s);
  else await runStage(s);
}
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
