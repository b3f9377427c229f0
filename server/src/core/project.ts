/**
 * From a setup to its graph: list the migration files Alembic would load, read each one, build
 * the revision graph, derive the findings. One bad file never stops the others.
 */
import * as path from 'path';
import type { Setup } from './config/setup';
import { discoverSetups, DiscoverOptions } from './config/discover';
import { findingsOfFile, findingsOfGraph } from './diagnostics/diagnostics';
import { buildGraph, RevisionGraph, RevisionInput } from './graph/graph';
import { updateRevision } from './graph/update';
import { MigrationFacts, valueItems } from './python/facts';
import { initPythonParser } from './python/parser';
import { scanMigration } from './python/scan';
import { quickScan } from './python/quickScan';
import { readMigration } from './python/read';
import { readEnvPy } from './python/env';
import { decodeSource } from './text';
import type { CoreFs, Finding } from './types';
import type { ReadAhead } from './readAhead';

export interface ScriptFile {
  path: string;
  /** What the parser read; undefined when the file could not be read or decoded. */
  facts?: MigrationFacts;
  readError?: string;
  /** The revision id Alembic would use (from `revision`, or an all-hex file name). */
  id?: string;
  idFromFilename?: boolean;
  /** What is read of every file; derived from the facts once (see summaryOf). */
  summary?: FileSummary;
}

/**
 * The part of a file's facts that the graph, the history and the diagnostics read for every
 * file. Everything else (spans, the docstring's lines, the function bodies) is read only for
 * the few files a finding, a hover or a symbol is about.
 */
export interface FileSummary {
  /** Alembic's message (`Script.doc`); '' when there is no docstring. */
  message: string;
  createDate?: string;
  /** 0-based line of the revision value (0 when there is none). */
  line: number;
  /** The graph input, without its key; undefined when Alembic could not load the file. */
  input?: Omit<RevisionInput, 'key'>;
  /** The findings about this file alone. */
  findings: Finding[];
}

/** The summary of a file (computed on first use). */
export function summaryOf(f: ScriptFile): FileSummary {
  return (f.summary ??= {
    message: f.facts?.doc?.message ?? '',
    createDate: f.facts?.doc?.createDate,
    line: f.facts?.headers.revision?.value.span.line ?? 0,
    input: revisionInput(f),
    findings: findingsOfFile(f),
  });
}

/**
 * A file the quick scanner read (the shape `alembic revision` writes; most files of a large
 * history). It keeps its text and summary; its facts are read again from the text when
 * something asks for them. Holding a few objects per file instead of a few dozen is most of
 * what garbage collection costs when thousands of files are read at once.
 */
class QuickFile implements ScriptFile {
  id?: string;
  idFromFilename?: boolean;
  summary?: FileSummary;
  private kept: MigrationFacts | undefined;
  constructor(readonly path: string, private readonly text: string, facts: MigrationFacts) {
    this.kept = facts;
  }

  get facts(): MigrationFacts {
    return (this.kept ??= quickScan(this.text)!);
  }

  /** Takes the summary and lets the facts go. */
  settle(): this {
    summaryOf(this);
    this.kept = undefined;
    return this;
  }
}

export interface SetupIndex {
  setup: Setup;
  files: ScriptFile[];
  graph: RevisionGraph;
  /** Every finding: setup, listing, per-file and graph findings. */
  findings: Finding[];
  /** The parts, kept so one edited file can be re-checked without the whole graph. */
  parts: { extra: Finding[]; perFile: Finding[][]; graph: Finding[] };
}

/** Alembic's file rule: `*.py`, not `__init__*`, not Emacs lock files `.#*`. */
const SOURCE_FILE = /^(?!\.#|__init__)(.*\.py)$/;
const SOURCELESS_FILE = /^(?!\.#|__init__)(.*\.py)(c|o)$/;
/** Alembic's legacy fallback: the revision id is an all-hex file name. */
const HEX_FILE = /^([a-f0-9]+)\.py$/;

/** Files Alembic loads for this setup, in load order. Missing version folders are skipped like Alembic does. */
export async function listScriptFiles(fs: CoreFs, setup: Setup): Promise<{ files: string[]; findings: Finding[] }> {
  const files: string[] = [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const seenDirs = new Set<string>();
  let sourceless = 0;
  const visit = async (dir: string, depth: number): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real) || depth > 20) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await fs.readDir(dir);
    } catch (e) {
      findings.push({ code: 'alembic/unreadable', severity: 'error', path: dir, message: `Cannot read the versions folder ${dir} (${(e as NodeJS.ErrnoException).code ?? e}); check its permissions.` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    const base = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const realBase = real.endsWith(path.sep) ? real : real + path.sep;
    for (const e of entries) {
      const p = base + e.name;
      if (e.kind === 'dir') {
        if (setup.recursiveVersionLocations && e.name !== '__pycache__') subdirs.push(p);
        continue;
      }
      if (e.kind !== 'file') continue;
      if (SOURCE_FILE.test(e.name)) {
        // Folders are already unique by real path; only a linked file can repeat another one.
        let rp = realBase + e.name;
        if (e.symlink) {
          try {
            rp = await fs.realpath(p);
          } catch {
            /* keep p */
          }
        }
        if (seen.has(rp)) continue; // the same file through two locations: loaded once
        seen.add(rp);
        files.push(p);
      } else if (setup.sourceless && SOURCELESS_FILE.test(e.name)) {
        sourceless++;
      }
    }
    for (const s of subdirs) await visit(s, depth + 1);
  };
  for (const loc of setup.versionLocations) {
    if ((await fs.kind(loc)) !== 'dir') continue;
    await visit(loc, 0);
  }
  if (sourceless) {
    findings.push({
      code: 'alembic/sourceless', severity: 'info', path: setup.configPath ?? setup.versionLocations[0],
      message: `${sourceless} compiled migration file(s) (.pyc) without source are loaded by Alembic (sourceless = true) but cannot be read here; they are missing from the graph.`,
    });
  }
  return { files, findings };
}

/**
 * How files are read: 'fast' uses the scanner and falls back to tree-sitter for what it does
 * not fully understand (no full syntax check of function bodies); 'full' parses every file
 * with tree-sitter (finds every syntax error).
 */
export type ReadMode = 'fast' | 'full';

/** Reads and parses one migration file from disk (or from bytes already read for it). */
export async function loadScriptFile(fs: CoreFs, file: string, mode: ReadMode = 'full', read?: Uint8Array): Promise<ScriptFile> {
  let bytes: Uint8Array;
  try {
    bytes = read ?? await fs.readFile(file);
  } catch (e) {
    return withId({ path: file, readError: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})` });
  }
  const d = decodeSource(bytes);
  if ('error' in d) return withId({ path: file, readError: d.error });
  if (mode === 'fast') {
    const quick = quickScan(d.text);
    if (quick) return withId(new QuickFile(file, d.text, quick)).settle();
    const facts = scanMigration(d.text, false);
    if (facts) return withId({ path: file, facts });
  }
  await initPythonParser(); // loaded only when a file needs it
  return scriptFromText(file, d.text, 'full');
}

/** A migration file from text (e.g. an unsaved editor). Needs initPythonParser() done. */
export function scriptFromText(file: string, text: string, mode: ReadMode = 'full'): ScriptFile {
  return withId({ path: file, facts: readMigration(text, mode) });
}

function withId<F extends ScriptFile>(f: F): F {
  const rev = f.facts?.headers.revision?.value;
  if (rev?.kind === 'str') f.id = rev.item.value;
  else if (!rev || f.readError) {
    const m = HEX_FILE.exec(path.basename(f.path));
    if (m && !f.readError) {
      f.id = m[1];
      f.idFromFilename = true;
    }
  }
  return f;
}

/** Graph input of the files that Alembic could load (others are reported, not guessed). */
export function revisionInputs(files: ScriptFile[]): RevisionInput[] {
  const out: RevisionInput[] = [];
  files.forEach((f, key) => {
    const r = summaryOf(f).input;
    if (r) out.push({ ...r, key });
  });
  return out;
}

/** Graph input of one file; undefined when Alembic could not load it. */
function revisionInput(f: ScriptFile): Omit<RevisionInput, 'key'> | undefined {
  if (!f.facts || f.id === undefined) return undefined;
  const h = f.facts.headers;
  const down = h.down_revision?.value;
  if (!down || down.kind === 'unknown') return undefined; // missing or not knowable: reported by diagnostics
  return {
    id: f.id,
    down: valueItems(down).map((i) => i.value),
    dependsOn: valueItems(h.depends_on?.value).map((i) => i.value),
    branchLabels: valueItems(h.branch_labels?.value).map((i) => i.value),
  };
}

const sameInput = (a: Omit<RevisionInput, 'key'> | undefined, b: Omit<RevisionInput, 'key'> | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Graph and findings of a setup whose files are already loaded (pure). */
export function analyzeSetup(setup: Setup, files: ScriptFile[], extra: Finding[] = []): SetupIndex {
  const graph = buildGraph(revisionInputs(files));
  const perFile = files.map((f) => summaryOf(f).findings);
  return assemble(setup, files, graph, { extra, perFile, graph: findingsOfGraph(files, graph) });
}

function assemble(setup: Setup, files: ScriptFile[], graph: RevisionGraph, parts: SetupIndex['parts']): SetupIndex {
  const findings = [...setup.findings, ...parts.extra];
  for (const list of parts.perFile) for (const f of list) findings.push(f);
  for (const f of parts.graph) findings.push(f);
  return { setup, files, graph, findings, parts };
}

/**
 * What a file contributes to the graph and to other files' findings: its header values with
 * their positions, and its message. When an edit leaves this unchanged (typing in upgrade(),
 * say), the graph and its findings stay as they are.
 */
function graphKey(f: ScriptFile): string {
  return JSON.stringify([f.id, f.facts?.headers, f.facts?.doc?.message, f.readError]);
}

/**
 * The setup with file `i` replaced. The other files' findings are kept; the graph is kept when
 * the file's graph input did not change, updated in place when only its links changed (see
 * updateRevision; `prev` must not be used afterwards), and rebuilt otherwise.
 */
export function reanalyzeFile(prev: SetupIndex, i: number, file: ScriptFile): SetupIndex {
  const files = prev.files.slice();
  const old = files[i];
  files[i] = file;
  const perFile = prev.parts.perFile.slice();
  perFile[i] = summaryOf(file).findings;
  if (graphKey(old) === graphKey(file)) return assemble(prev.setup, files, prev.graph, { ...prev.parts, perFile });
  let graph = prev.graph;
  const before = summaryOf(old).input;
  const after = summaryOf(file).input;
  if (!sameInput(before, after) && !(before && after && updateRevision(graph, { ...before, key: i }, { ...after, key: i }))) {
    graph = buildGraph(revisionInputs(files));
  }
  return assemble(prev.setup, files, graph, { ...prev.parts, perFile, graph: findingsOfGraph(files, graph) });
}

export interface IndexOptions extends DiscoverOptions {
  mode?: ReadMode;
  /**
   * Reads the migration files of a listing ahead (see readAhead.ts). Only for a CoreFs that is
   * the plain disk: what it reads bypasses `fs`.
   */
  readAhead?: ReadAhead;
}

/** Below this many files, reading ahead on another thread does not pay for the hand-over. */
export const READ_AHEAD_MIN = 200;

/** Fills setup.versionTable from env.py (parsed with tree-sitter: env.py is one small file). */
export async function readVersionTable(fs: CoreFs, setup: Setup): Promise<void> {
  setup.versionTable = { name: 'alembic_version', known: true };
  if (!setup.scriptLocation) return;
  const envPath = path.join(setup.scriptLocation, 'env.py');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(envPath);
  } catch {
    return; // no env.py: Alembic's defaults
  }
  const d = decodeSource(bytes);
  if ('error' in d) return;
  if (!/version_table/.test(d.text)) return;
  await initPythonParser();
  const env = readEnvPy(d.text);
  const t = env.versionTable;
  const sc = env.versionTableSchema;
  setup.versionTable = {
    name: t?.value ?? 'alembic_version',
    schema: sc?.value,
    known: (!t || t.value !== undefined) && (!sc || sc.value !== undefined),
    envPath,
  };
  if (!setup.versionTable.known) {
    const what = [t?.value === undefined && t ? `version_table=${t.text}` : '', sc?.value === undefined && sc ? `version_table_schema=${sc.text}` : ''].filter(Boolean).join(' and ');
    setup.findings.push({
      code: 'alembic/version-table-unknown', severity: 'info', path: envPath, span: (t?.value === undefined ? t?.span : sc?.span),
      message: `env.py passes ${what}, computed at run time: the database status will read "${setup.versionTable.schema ? setup.versionTable.schema + '.' : ''}${setup.versionTable.name}" unless the version table is set in the settings.`,
    });
  }
}

export async function indexSetup(fs: CoreFs, setup: Setup, opts: IndexOptions = {}): Promise<SetupIndex> {
  await readVersionTable(fs, setup);
  const listed = await listScriptFiles(fs, setup);
  const files: ScriptFile[] = [];
  const ahead = listed.files.length >= READ_AHEAD_MIN ? opts.readAhead : undefined;
  ahead?.start(listed.files);
  for (let i = 0; i < listed.files.length; i++) {
    const f = listed.files[i];
    files.push(await loadScriptFile(fs, f, opts.mode ?? 'full', ahead && await ahead.get(i)));
  }
  return analyzeSetup(setup, files, listed.findings);
}

/** Every setup of a workspace folder, indexed. */
export async function indexWorkspace(fs: CoreFs, root: string, opts: IndexOptions = {}): Promise<SetupIndex[]> {
  const setups = await discoverSetups(fs, root, opts);
  const out: SetupIndex[] = [];
  for (const s of setups) out.push(await indexSetup(fs, s, opts));
  return out;
}
