/**
 * alembic-migrations: the core on the command line, for CI and scripts.
 *
 *   alembic-migrations check [DIR] [--config PATH] [--name SECTION] [--format text|json] [--fast]
 *   alembic-migrations graph [DIR] [--config PATH] [--name SECTION] [--json]
 * (both take --cache to reuse the previous result when no input file changed)
 */
import * as path from 'path';
import { indexWorkspace, nodeFs, SetupIndex, summaryOf } from './core';
import { historyOrder } from './core/graph/walk';
import { defaultReadAhead } from './core/readAhead';
import type { Finding } from './core/types';
import { Cached, cachePath, fingerprint, readCache, writeCache } from './cliCache';

const USAGE = `Usage:
  alembic-migrations check [DIR] [--config PATH] [--name SECTION] [--format text|json] [--fast]
      Report broken down_revision chains, multiple heads, cycles, duplicate ids and other
      problems in every Alembic setup under DIR (default: the current folder).
      Exit status: 0 no errors, 1 errors found, 2 bad usage.
  alembic-migrations graph [DIR] [--config PATH] [--name SECTION] [--json]
      Print the revision history of each setup (newest first), or JSON.

  --config PATH   use this alembic.ini / pyproject.toml instead of discovering setups
  --name SECTION  the ini section to use (like "alembic -n"), default "alembic"
  --cache         reuse the last result when no config or migration file changed (mtime,
                  size, inode); stored under $XDG_CACHE_HOME/alembic-migrations/
  --cache-location FILE   where to keep that cache
  --fast / --full read files with the fast scanner (no syntax check of function bodies) or
                  parse every file fully; default: --full for check, --fast for graph
`;

interface Args {
  command: string;
  dir: string;
  config?: string;
  name?: string;
  json: boolean;
  mode?: 'fast' | 'full';
  cache: boolean;
  cacheLocation?: string;
}

function parseArgs(argv: string[]): Args | string {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') return 'help';
  if (command !== 'check' && command !== 'graph') return `unknown command "${command}"`;
  const a: Args = { command, dir: '.', json: false, cache: false };
  let dirSet = false;
  for (let i = 0; i < rest.length; i++) {
    const x = rest[i];
    const val = (): string | undefined => rest[++i];
    if (x === '--config' || x === '-c') a.config = val();
    else if (x === '--name' || x === '-n') a.name = val();
    else if (x === '--json') a.json = true;
    else if (x === '--cache') a.cache = true;
    else if (x === '--cache-location') {
      a.cache = true;
      a.cacheLocation = val();
    } else if (x === '--fast') a.mode = 'fast';
    else if (x === '--full') a.mode = 'full';
    else if (x === '--format') {
      const f = val();
      if (f !== 'json' && f !== 'text') return `--format takes "text" or "json"`;
      a.json = f === 'json';
    } else if (x === '-h' || x === '--help') return 'help';
    else if (x.startsWith('-')) return `unknown option "${x}"`;
    else if (!dirSet) {
      a.dir = x;
      dirSet = true;
    } else return `unexpected argument "${x}"`;
    if (['--config', '-c', '--name', '-n', '--cache-location'].includes(x) && rest[i] === undefined) return `${x} needs a value`;
  }
  return a;
}

/** Relative folder of each folder seen (thousands of migration files share a few folders). */
const relDirs = new Map<string, string>();

/** The path relative to the current folder when it is inside it, else as given. */
function rel(p: string): string {
  const cut = p.lastIndexOf(path.sep);
  const dir = p.slice(0, cut);
  let rd = relDirs.get(dir);
  if (rd === undefined) {
    rd = path.relative(process.cwd(), dir);
    relDirs.set(dir, rd);
  }
  const r = rd ? rd + path.sep + p.slice(cut + 1) : path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

function findingJson(f: Finding): object {
  return {
    code: f.code, severity: f.severity, path: rel(f.path),
    line: (f.span?.line ?? 0) + 1, column: (f.span?.column ?? 0) + 1, message: f.message,
  };
}

function setupJson(ix: SetupIndex): object {
  const { graph, files, setup } = ix;
  return {
    setup: { id: setup.id, kind: setup.kind, config: setup.configPath && rel(setup.configPath), section: setup.section, scriptLocation: setup.scriptLocation && rel(setup.scriptLocation), versionTable: setup.versionTable },
    revisions: graph.order.map((id) => {
      const n = graph.nodes.get(id)!;
      const f = files[n.key];
      return { id, downRevisions: n.down, dependsOn: n.dependsOn, branchLabels: n.ownLabels, path: rel(f.path), message: summaryOf(f).message };
    }),
    heads: graph.heads,
    bases: graph.bases,
    diagnostics: ix.findings.map(findingJson),
  };
}

function printGraphText(ix: SetupIndex, log: (s?: string) => void): void {
  const { graph, files, setup } = ix;
  log(`# ${setup.id}${setup.scriptLocation ? ` (${rel(setup.scriptLocation)})` : ''}`);
  const shown = new Set<string>();
  const line = (id: string): void => {
    shown.add(id);
    const n = graph.nodes.get(id)!;
    const marks = [n.isHead && 'head', n.isBase && 'base', n.isBranchPoint && 'branchpoint', n.isMergePoint && 'mergepoint'].filter(Boolean);
    const labels = n.labels.length ? ` (${n.labels.join(', ')})` : '';
    log(`${n.down.length ? n.down.join(', ') : '<base>'} -> ${id}${labels}${marks.length ? ` (${marks.join(') (')})` : ''}, ${summaryOf(files[n.key]).message}`);
  };
  const broken = graph.problems.some((p) => p.kind === 'cycle' || p.kind === 'dependency-cycle');
  if (!broken) historyOrder(graph).forEach(line);
  for (const id of graph.order) if (!shown.has(id)) line(id); // cut off by a missing parent or a cycle
  if (!graph.order.length) log('(no revisions)');
}

function printFindingsText(findings: Finding[], log: (s: string) => void): void {
  for (const f of findings) {
    log(`${rel(f.path)}:${(f.span?.line ?? 0) + 1}:${(f.span?.column ?? 0) + 1}: ${f.severity} ${f.code} ${f.message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  if (a === 'help') {
    process.stdout.write(USAGE);
    return argv.length ? 0 : 2;
  }
  if (typeof a === 'string') {
    process.stderr.write(`alembic-migrations: ${a}\n\n${USAGE}`);
    return 2;
  }
  const dir = path.resolve(a.dir);
  if ((await nodeFs.kind(dir)) !== 'dir') {
    process.stderr.write(`alembic-migrations: ${a.dir} is not a folder\n`);
    return 2;
  }
  let configs: string[] | undefined;
  if (a.config) {
    const cfg = path.resolve(a.config);
    if ((await nodeFs.kind(cfg)) !== 'file') {
      process.stderr.write(`alembic-migrations: config file ${a.config} does not exist\n`);
      return 2;
    }
    configs = [`${path.relative(dir, cfg)}${a.name ? `#${a.name}` : ''}`];
  }
  // graph reads with the fast scanner; check parses every file fully to find every syntax error.
  const mode = a.mode ?? (a.command === 'graph' ? 'fast' : 'full');
  const cacheFile = a.cache ? cachePath(a, dir) : undefined;
  if (a.cache && !cacheFile) process.stderr.write('alembic-migrations: --cache: no home folder to keep the cache in (set XDG_CACHE_HOME, or use --cache-location FILE); running without it\n');
  const key = cacheFile ? await fingerprint(dir, { configs, mode, argv: [a.command, a.config, a.name, a.json] }) : undefined;
  if (cacheFile && key) {
    const hit = readCache(cacheFile, key);
    if (hit) return replay(hit);
  }
  const result = await run(a, dir, configs, mode);
  if (cacheFile && key) writeCache(cacheFile, key, result);
  return replay(result);
}

/** Migration files read by this process (none on a --cache hit). */
let indexedFiles = 0;

interface RunResult {
  out: string;
  err: string;
  code: number;
}

function replay(r: RunResult | Cached): number {
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  return r.code;
}

async function run(a: Args, dir: string, configs: string[] | undefined, mode: 'fast' | 'full'): Promise<RunResult> {
  const r: RunResult = { out: '', err: '', code: 0 };
  const log = (s = ''): void => { r.out += s + '\n'; };
  const warn = (s: string): void => { r.err += s + '\n'; };
  // on four or more cores a second thread scans migration files too
  const readAhead = defaultReadAhead();
  let setups;
  try {
    setups = await indexWorkspace(nodeFs, dir, { configs, mode, readAhead });
  } finally {
    readAhead?.close();
  }
  for (const s of setups) indexedFiles += s.files.length;
  if (a.name && !a.config) setups = setups.filter((s) => s.setup.section === a.name);
  if (a.command === 'graph') {
    if (a.json) log(JSON.stringify(setups.map(setupJson), null, 2));
    else if (!setups.length) log(`No Alembic setup found under ${a.dir} (looked for alembic.ini, pyproject.toml [tool.alembic], migrations/env.py).`);
    else setups.forEach((s, i) => { if (i) log(); printGraphText(s, log); });
    return r;
  }
  const findings = setups.flatMap((s) => s.findings);
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (a.json) {
    log(JSON.stringify({ setups: setups.map((s) => s.setup.id), errors, diagnostics: findings.map(findingJson) }, null, 2));
  } else {
    printFindingsText(findings, log);
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const revs = setups.reduce((n, s) => n + s.graph.order.length, 0);
    warn(`${setups.length} setup(s), ${revs} revision(s): ${errors} error(s), ${warnings} warning(s).`);
    if (!setups.length) warn(`No Alembic setup found under ${a.dir}.`);
  }
  r.code = errors ? 1 : 0;
  return r;
}

/**
 * Runs the CLI as the process: its exit status, and `after` with that status and the number of
 * migration files it read once the command ran to its end (the entry point keeps its code cache
 * then: see cliBoot.ts).
 */
export function runProcess(after?: (code: number, indexed: number) => void): void {
  // a reader that stops early (`| head`, a pager quit) closes the pipe: the rest of the output is
  // dropped quietly and the command ends with its own exit status, as other tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      after?.(code, indexedFiles);
    },
    (e) => {
      process.stderr.write(`alembic-migrations: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 3;
    },
  );
}

if (require.main === module) runProcess();
