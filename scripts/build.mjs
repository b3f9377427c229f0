// Bundles the client, the server and the CLI with esbuild and copies the WASM files beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');
const dist = path.join(root, 'dist');
mkdirSync(dist, { recursive: true });
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), path.join(dist, 'tree-sitter.wasm'));
copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), path.join(dist, 'tree-sitter-python.wasm'));
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));

/** `mysql2/promise` from dist/mysql2.js beside the client bundle (see the entries). */
const mysqlApart = {
  name: 'mysql2-apart',
  setup(build) {
    build.onResolve({ filter: /^mysql2\/promise$/ }, () => ({ path: './mysql2.js', external: true }));
  },
};

const entries = [
  // the CLI's entry point runs dist/cliMain.js with V8's code cache (see cliBoot.ts)
  { in: 'server/src/cliBoot.ts', out: 'cli' },
  { in: 'server/src/cli.ts', out: 'cliMain', supported: { 'dynamic-import': false } },
  // the second thread of large indexes (CLI and language server), loaded from beside them
  { in: 'server/src/core/scanWorker.ts', out: 'scanWorker' },
];
if (existsSync(path.join(root, 'server/src/server.ts'))) entries.push({ in: 'server/src/server.ts', out: 'server' });
if (existsSync(path.join(root, 'client/src/extension.ts'))) {
  entries.push({ in: 'client/src/extension.ts', out: 'client', external: ['vscode'], plugins: [mysqlApart] });
  // the MySQL driver is most of the client's code but rarely used: its own bundle, required when a status needs it
  entries.push({ in: path.relative(root, require.resolve('mysql2/promise')), out: 'mysql2' });
}

// web-tree-sitter's ESM build reads import.meta.url, which a CJS bundle lacks: use its CJS build.
const treeSitterCjs = {
  name: 'web-tree-sitter-cjs',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
  },
};

const contexts = await Promise.all(entries.map((e) => esbuild.context({
  entryPoints: { [e.out]: path.join(root, e.in) },
  outdir: dist,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: !watch,
  keepNames: true,
  external: e.external ?? [],
  supported: e.supported,
  banner: e.banner ? { js: e.banner } : undefined,
  logLevel: 'warning',
  plugins: [treeSitterCjs, ...(e.plugins ?? [])],
})));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
