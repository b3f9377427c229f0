/**
 * From a setup to its graph: list the migration files Alembic would load, read each one, build
 * the revision graph, derive the findings. One bad file never stops the others.
 */
import * as path from 'path';
import type { Setup } from './config/setup';
import { discoverSetups, DiscoverOptions } from './config/discover';
import { findingsOfGraph } from './diagnostics/diagnostics';
import { buildGraph, RevisionGraph, RevisionInput } from './graph/graph';
import { updateRevision } from './graph/update';
import { initPythonParser } from './python/parser';
import { scanMigration } from './python/scan';
import { readMigration } from './python/read';
import { readEnvPy } from './python/env';
import { decodeSource } from './text';
import type { CoreFs, Finding } from './types';
import type { ReadAhead, Scanned } from './readAhead';
import { QuickFile, quickFile, ScriptFile, summaryOf, withId } from './scriptFile';

export { summaryOf } from './scriptFile';
export type { FileSummary, ScriptFile } from './scriptFile';

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

/** The file's bytes, or a file that says why they could not be read. */
async function readScriptBytes(fs: CoreFs, file: string): Promise<Uint8Array | ScriptFile> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    return withId({ path: file, readError: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})` });
  }
}

/** Reads and parses one migration file from disk. */
export async function loadScriptFile(fs: CoreFs, file: string, mode: ReadMode = 'full'): Promise<ScriptFile> {
  const bytes = await readScriptBytes(fs, file);
  return bytes instanceof Uint8Array ? fromBytes(file, bytes, mode) : bytes;
}

/**
 * Whether two reads of a file say the same: the same id, error and facts, whichever reader read
 * them (the fast tiers give tree-sitter's facts where they answer; see test/unit/scan.test.ts).
 * Everything the index derives from a file (summary, findings) comes from these.
 */
export function sameRead(a: ScriptFile, b: ScriptFile): boolean {
  const key = (f: ScriptFile): string => JSON.stringify(f.facts ?? null, (k, v: unknown) => (k === 'reader' ? undefined : v));
  return a.id === b.id && a.idFromFilename === b.idFromFilename && a.readError === b.readError && key(a) === key(b);
}

/**
 * A file read again (a folder replaced or reported again): `before` itself when it reads the same
 * — a file the quick tier read compares its text (no parse), others are read by the fast tiers
 * first and compared (tree-sitter only when they decline), a file read in full before is read in
 * full again — otherwise read as loadScriptFile reads it in `mode`. Like the first index, the fast
 * comparison does not look for syntax errors in function bodies of files the fast tiers read.
 */
export async function reloadScriptFile(fs: CoreFs, before: ScriptFile, mode: ReadMode = 'full'): Promise<ScriptFile> {
  const bytes = await readScriptBytes(fs, before.path);
  if (!(bytes instanceof Uint8Array)) return sameRead(before, bytes) ? before : bytes;
  if (before instanceof QuickFile) {
    const d = decodeSource(bytes);
    if ('text' in d && before.readFrom(d.text)) return before;
  }
  // a file read in full before (its function bodies' syntax checked) is compared with a full read
  let read: ScriptFile | undefined;
  if (mode === 'fast' || before.facts?.reader !== 'tree-sitter') {
    const fast = await fromBytes(before.path, bytes, 'fast');
    if (sameRead(before, fast)) return before;
    if (mode === 'fast' || fast.facts?.reader === 'tree-sitter') read = fast; // (the fast tiers declined: already a full read)
  }
  read ??= await fromBytes(before.path, bytes, mode);
  return sameRead(before, read) ? before : read;
}

/**
 * A migration file from its bytes: decoded as Python reads it, then (fast mode) the quick tier and
 * the tokenizing scanner, else tree-sitter. Without a promise when no tree-sitter parse is needed.
 */
function fromBytes(file: string, bytes: Uint8Array, mode: ReadMode): ScriptFile | Promise<ScriptFile> {
  const d = decodeSource(bytes);
  if ('error' in d) return withId({ path: file, readError: d.error });
  if (mode === 'fast') {
    const quick = quickFile(file, d.text);
    if (quick) return quick;
    const facts = scanMigration(d.text, false);
    if (facts) return withId({ path: file, facts });
  }
  // the parser is loaded only when a file needs it
  return initPythonParser().then(() => scriptFromText(file, d.text, 'full'));
}

/** A migration file from text (e.g. an unsaved editor). Needs initPythonParser() done. */
export function scriptFromText(file: string, text: string, mode: ReadMode = 'full'): ScriptFile {
  return withId({ path: file, facts: readMigration(text, mode) });
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
  const files = await loadListing(fs, listed.files, opts.mode ?? 'full', opts.readAhead);
  return analyzeSetup(setup, files, listed.findings);
}

/** With no progress from the worker for this long, the indexing thread loads the rest itself. */
const STALL_MS = 5000;

/**
 * The files of a listing, in its order. With a read-ahead worker (and enough files), both
 * threads claim chunks of the listing: this one loads its chunks, the worker hands over bytes
 * and, for standard files, their summaries (see readAhead.ts). `own(i)` gives a file the caller
 * already holds (an open editor), in place of the disk.
 */
export async function loadListing(fs: CoreFs, paths: string[], mode: ReadMode, ahead?: ReadAhead, own?: (i: number) => ScriptFile | undefined): Promise<ScriptFile[]> {
  const out: ScriptFile[] = new Array(paths.length);
  let have = 0;
  const put = (i: number, f: ScriptFile): void => {
    if (out[i] !== undefined) return;
    out[i] = f;
    have++;
  };
  /**
   * File i loaded without a promise where it can be (the usual file, on a file system that reads
   * synchronously): true when done; otherwise what slow() waits for (a tree-sitter parse), or
   * undefined when slow() has to read the file.
   */
  const now = (i: number, bytes?: Uint8Array): true | Promise<ScriptFile> | undefined => {
    if (out[i] !== undefined) return true;
    const mine = own?.(i);
    if (mine) {
      put(i, mine);
      return true;
    }
    if (!bytes) {
      if (mode !== 'fast' || !fs.readFileTransient) return undefined;
      try {
        bytes = fs.readFileTransient(paths[i]); // valid until the next read: decoded at once below
      } catch {
        return undefined; // loadScriptFile reads it again and says why it cannot
      }
    }
    const f = fromBytes(paths[i], bytes, mode);
    if (f instanceof Promise) return f;
    put(i, f);
    return true;
  };
  const slow = async (i: number, pending: Promise<ScriptFile> | undefined): Promise<void> => put(i, await (pending ?? loadScriptFile(fs, paths[i], mode)));
  /** Files from..to-1, with a promise only for those that need one. */
  const loadRange = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i++) {
      const read = now(i);
      if (read !== true) await slow(i, read);
    }
  };
  if (!ahead || paths.length < READ_AHEAD_MIN) {
    await loadRange(0, paths.length);
    return out;
  }
  ahead.start(paths, mode === 'fast');
  /** Takes in what the worker has finished; how many files that was. */
  const absorb = async (): Promise<number> => {
    const got = ahead.take();
    for (const x of got) {
      if (out[x.i] !== undefined) continue;
      if (x.scanned && x.bytes && !own?.(x.i)) {
        put(x.i, fromWorker(paths[x.i], x.bytes, x.scanned));
        continue;
      }
      const read = now(x.i, x.bytes); // an open editor's text, or the bytes the worker read
      if (read !== true) await slow(x.i, read);
    }
    return got.length;
  };
  // what the worker finished first; a chunk of this thread's own only when there is none
  for (;;) {
    if (await absorb()) continue;
    const c = ahead.claim();
    if (!c) break;
    await loadRange(c.from, c.to);
  }
  // the chunks the worker claimed: wait for them, or load them here when it cannot deliver
  let progress = Date.now();
  while (have < paths.length) {
    const before = have;
    await absorb();
    if (have > before) progress = Date.now();
    else if (!ahead.alive() || Date.now() - progress > STALL_MS) {
      await loadRange(0, paths.length);
    } else await new Promise((r) => setTimeout(r, 1));
  }
  return out;
}

/** A file the worker read and summarized: its facts are read from its bytes when asked for. */
function fromWorker(file: string, bytes: Uint8Array, s: Scanned): ScriptFile {
  const f = new QuickFile(file, bytes);
  if (s.id !== undefined) f.id = s.id;
  if (s.idFromFilename) f.idFromFilename = s.idFromFilename;
  f.summary = s.summary;
  return f;
}

/** Every setup of a workspace folder, indexed. */
export async function indexWorkspace(fs: CoreFs, root: string, opts: IndexOptions = {}): Promise<SetupIndex[]> {
  const setups = await discoverSetups(fs, root, opts);
  const out: SetupIndex[] = [];
  for (const s of setups) out.push(await indexSetup(fs, s, opts));
  return out;
}
