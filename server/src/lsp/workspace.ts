/**
 * The language server's index of every Alembic setup in the workspace: discovers setups, reads
 * their migration files once (fast scanner), then re-reads only what changes. Open editors win
 * over the disk: their text is parsed fully (tree-sitter) on every change.
 */
import * as path from 'path';
import {
  analyzeSetup, discoverSetups, historyOrder, isBroken, listScriptFiles, loadScriptFile, readVersionTable, reanalyzeFile, reloadScriptFile, scriptFromText, setupFilesIn,
} from '../core';
import type { CoreFs, Finding, RevisionGraph, RevisionNode, ScriptFile, Setup, SetupIndex } from '../core';
import { derivedOf } from '../core/graph/graph';
import { initPythonParser } from '../core/python/parser';
import { loadListing, summaryOf } from '../core/project';
import type { ReadAhead } from '../core/readAhead';
import type { RevisionInfo, SetupGraph } from '../protocol';

interface SetupState {
  setup: Setup;
  files: ScriptFile[];
  listingFindings: Finding[];
  index: SetupIndex;
  /** The last graph payload and what it was built from (reused, or patched, while the graph is the same). */
  payload?: Payload;
  /** The graph changed since the payload was built: rebuilt when next asked for. */
  stale?: boolean;
}

interface Payload {
  key: string;
  graph: RevisionGraph;
  /** derivedOf(graph).generation when built: in-place updates of the graph change it. */
  generation: number;
  files: readonly ScriptFile[];
  findings: readonly Finding[];
  out: SetupGraph;
}

const CONFIG_FILE = /(^|[\\/])(alembic\.ini|[^\\/]*\.ini|pyproject\.toml|env\.py)$/;

export type DiskChange = 'created' | 'changed' | 'deleted';

/**
 * One entry per path, in the order each path was last reported: VS Code's language client reports
 * an event once per watcher that matches it (the client's own and those the server registered),
 * and a checkout comes as a burst. A path created and then changed stays created (its setup is
 * listed again); otherwise the last event wins (a file deleted then created: created, and read
 * again) — but a folder deleted then created (replaced) keeps both, in that order: its deletion
 * re-reads what it holds, its creation searches it for setups.
 */
export function mergeDiskChanges(changes: Iterable<readonly [string, DiskChange]>): Array<[string, DiskChange]> {
  const last = new Map<string, DiskChange>();
  const replaced = new Set<string>();
  for (const [file, kind] of changes) {
    const before = last.get(file);
    last.delete(file);
    if (kind === 'deleted') replaced.delete(file);
    else if (before === 'deleted' && !file.endsWith('.py')) replaced.add(file);
    last.set(file, before === 'created' && kind === 'changed' ? 'created' : kind);
  }
  return [...last].flatMap(([file, kind]): Array<[string, DiskChange]> => (replaced.has(file) ? [[file, 'deleted'], [file, kind]] : [[file, kind]]));
}

export class WorkspaceIndex {
  private states: SetupState[] = [];
  private overlays = new Map<string, string>();
  /** While one notification of disk changes is handled: the files read for it (none is read twice). */
  private readNow: Set<ScriptFile> | undefined;
  /** Increments only when a graph payload changes (an edit inside upgrade() leaves it alone). */
  graphVersion = 0;
  ready = false;

  /**
   * @param readAhead when the file system is the plain disk: makes a reader that reads migration
   *   files on another thread during a full index, or none where it does not pay (see core/readAhead.ts)
   */
  constructor(private fs: CoreFs, private folders: () => string[], private configsFor: (folder: string) => string[], private readAhead?: () => ReadAhead | undefined) {}

  /**
   * (Re)discovers every setup and reads every file. With `keepUnchanged`, a setup configured
   * exactly as before keeps what was read (its files are kept up to date by events); returns
   * whether any setup changed.
   */
  async reindexAll(keepUnchanged = false): Promise<boolean> {
    await this.parserForEditors();
    const before = new Map(keepUnchanged ? this.states.map((s) => [JSON.stringify(s.setup), s]) : []);
    const states: SetupState[] = [];
    let ahead: ReadAhead | undefined;
    try {
      for (const folder of this.folders()) {
        const setups = await discoverSetups(this.fs, folder, { configs: this.configsFor(folder) });
        for (const setup of setups) {
          await readVersionTable(this.fs, setup);
          const kept = before.get(JSON.stringify(setup));
          ahead ??= kept ? undefined : this.readAhead?.();
          states.push(kept ?? await this.load(setup, ahead));
        }
      }
    } finally {
      ahead?.close(); // no idle thread (and its memory) between full indexes
    }
    const changed = !this.ready || states.length !== this.states.length || states.some((s, i) => s !== this.states[i]);
    this.states = states;
    this.ready = true;
    return changed;
  }

  /**
   * Loads tree-sitter when an editor's text is to be read (editors' texts are read in full). Files
   * on disk load it themselves when one needs it (see loadListing): the usual history never does,
   * and the first index does not wait for the grammar (~60 ms of the first diagnostics in VS Code).
   */
  private async parserForEditors(): Promise<void> {
    if (this.overlays.size) await initPythonParser();
  }

  private async load(setup: Setup, readAhead?: ReadAhead): Promise<SetupState> {
    const listed = await listScriptFiles(this.fs, setup);
    const files = await loadListing(this.fs, listed.files, 'fast', readAhead, (i) => {
      const open = this.overlays.get(listed.files[i]);
      return open === undefined ? undefined : scriptFromText(listed.files[i], open, 'full');
    });
    for (const f of files) this.readNow?.add(f);
    return { setup, files, listingFindings: listed.findings, index: analyzeSetup(setup, files, listed.findings) };
  }

  get setups(): readonly SetupIndex[] {
    return this.states.map((s) => s.index);
  }

  /** The setup and file index holding a migration file. */
  locate(file: string): { index: SetupIndex; file: ScriptFile } | undefined {
    for (const s of this.states) {
      const f = s.files.find((x) => x.path === file);
      if (f) return { index: s.index, file: f };
    }
    return undefined;
  }

  /** True when a path is inside a version folder of some setup (a new or deleted migration). */
  private inVersionFolder(file: string): SetupState[] {
    return this.states.filter((s) => s.setup.versionLocations.some((v) => {
      const rel = path.relative(v, path.dirname(file));
      return rel === '' || (s.setup.recursiveVersionLocations && !rel.startsWith('..') && !path.isAbsolute(rel));
    }));
  }

  /** An editor opened or changed a file: its text wins over the disk. Returns true when the graph changed. */
  async documentChanged(file: string, text: string): Promise<boolean> {
    await initPythonParser(); // (first: an editor's text held is read in full by every later index)
    this.overlays.set(file, text);
    return this.refreshFile(file, () => scriptFromText(file, text, 'full'));
  }

  /** An editor closed a file: the disk is the truth again. */
  async documentClosed(file: string): Promise<boolean> {
    this.overlays.delete(file);
    return this.refreshFile(file, () => loadScriptFile(this.fs, file, 'full'));
  }

  /** A file changed, appeared or disappeared on disk. */
  diskChanged(file: string, kind: DiskChange): Promise<boolean> {
    return this.disksChanged([[file, kind]]);
  }

  /**
   * Files that changed, appeared or disappeared on disk, in the order they were reported (one
   * watched-files notification; see mergeDiskChanges). A config or env.py among them discovers the
   * setups again (once), and those configured exactly as before keep what they read (saving
   * alembic.ini does not re-read thousands of migrations; the Refresh command re-reads everything);
   * the other entries are handled as well. A version folder's files that appeared or went away
   * re-list each setup concerned once, and those files are read again even when the listing still
   * holds them (a file deleted and written again, as a checkout does, has new content).
   */
  async disksChanged(changes: ReadonlyArray<readonly [string, DiskChange]>): Promise<boolean> {
    const own = !this.readNow;
    this.readNow ??= new Set();
    try {
      const isConfig = (file: string): boolean => CONFIG_FILE.test(file) && !file.endsWith('.py') || path.basename(file) === 'env.py';
      let changed = changes.some(([file]) => isConfig(file)) ? await this.reindexAll(true) : false;
      const listed = new Set<string>();
      for (const [file, kind] of changes) {
        if (isConfig(file)) continue;
        if (!file.endsWith('.py')) changed = (await this.folderChanged(file, kind)) || changed;
        else if (kind !== 'changed' || !this.locate(file)) listed.add(file); // a file not listed yet is new to us
        else if (!this.overlays.has(file)) changed = (await this.refreshFile(file, () => loadScriptFile(this.fs, file, 'full'))) || changed; // else the editor's text wins
      }
      if (listed.size) changed = (await this.relistAll([...new Set([...listed].flatMap((f) => this.inVersionFolder(f)))], (f) => listed.has(f))) || changed;
      return changed;
    } finally {
      if (own) this.readNow = undefined;
    }
  }

  /**
   * A folder appeared or went away. Moved, copied or checked out in one go, its files may never be
   * reported one by one, so it is searched: a config or env.py that no healthy setup has yet means
   * discovering again (setups configured as before keep what was read); then the setups with a
   * version folder at, in or above it are listed again.
   */
  private async folderChanged(dir: string, kind: 'created' | 'changed' | 'deleted'): Promise<boolean> {
    if (kind === 'changed') return false;
    const under = (p: string | undefined): boolean => !!p && (p === dir || p.startsWith(dir + path.sep));
    let changed = false;
    if (kind === 'deleted') {
      if (this.states.some((s) => under(s.setup.configPath) || under(s.setup.pyprojectPath) || under(s.setup.scriptLocation))) {
        changed = await this.reindexAll(true);
      }
    } else {
      const name = path.basename(dir);
      if (name === '__pycache__' || (await this.fs.kind(dir)) !== 'dir') return false;
      // a hidden folder holds no setup discovery would find, but may be (in) a version folder:
      // Alembic's recursive walk enters hidden folders, and version_locations may name one
      if (!name.startsWith('.')) {
        const known = new Set<string>();
        for (const { setup: s } of this.states) {
          if (isBroken(s)) continue; // its folder may be the one that appeared
          for (const p of [s.configPath, s.pyprojectPath, path.join(s.scriptLocation!, 'env.py')]) if (p) known.add(p);
        }
        for (const folder of this.folders()) {
          if ((await setupFilesIn(this.fs, folder, dir)).some((p) => !known.has(p))) {
            changed = await this.reindexAll(true);
            break;
          }
        }
      }
    }
    // a version folder itself, one inside it (new, or gone with its files), or one inside a recursive one.
    // Files the index held under it are read again: a folder reported deleted that is there again, or
    // reported created while the index held files in it, was replaced (a checkout, a move; the client
    // reports a folder that VS Code saw deleted and created again as created, and its files may never
    // be reported one by one). A folder that is new holds none of the index's files, and what this
    // notification read already (a setup found above, the deletion before a creation) is not read twice.
    const touched = this.states.filter((s) => s.setup.versionLocations.some(under)
      || (kind === 'deleted' ? s.files.some((f) => under(f.path)) : this.inVersionFolder(path.join(dir, '_.py')).includes(s)));
    const listed = await this.relistAll(touched, (f) => under(f));
    return changed || listed;
  }

  /** Re-lists setups; true when a listing changed. */
  private async relistAll(touched: SetupState[], reread?: (file: string) => boolean): Promise<boolean> {
    let changed = false;
    for (const s of touched) {
      const fresh = await this.relist(s, reread);
      this.states[this.states.indexOf(s)] = fresh;
      changed ||= fresh !== s;
    }
    return changed;
  }

  /**
   * Re-lists a setup's files, keeping what was already read except the files `reread` picks (the
   * same state when the listing is unchanged and nothing was read again).
   */
  private async relist(s: SetupState, reread?: (file: string) => boolean): Promise<SetupState> {
    const listed = await listScriptFiles(this.fs, s.setup);
    await this.parserForEditors();
    const known = new Map(s.files.map((f) => [f.path, f]));
    const files: ScriptFile[] = [];
    for (const f of listed.files) {
      const open = this.overlays.get(f);
      const before = known.get(f);
      // (a file this notification already read is not read again: a folder replaced is reported deleted, then created)
      const kept = open === undefined && reread?.(f) && !(before && this.readNow?.has(before)) ? undefined : before;
      // (read again, a file found as it was keeps its object: nothing to analyze again, publish or announce)
      const read = kept ?? (open !== undefined ? scriptFromText(f, open, 'full') : before ? await reloadScriptFile(this.fs, before, 'full') : await loadScriptFile(this.fs, f, 'full'));
      if (!kept) this.readNow?.add(read);
      files.push(read);
    }
    if (files.length === s.files.length && files.every((f, i) => f === s.files[i]) && JSON.stringify(listed.findings) === JSON.stringify(s.listingFindings)) return s;
    return { setup: s.setup, files, listingFindings: listed.findings, index: analyzeSetup(s.setup, files, listed.findings) };
  }

  private async refreshFile(file: string, read: () => ScriptFile | Promise<ScriptFile>): Promise<boolean> {
    let changed = false;
    for (const s of this.states) {
      const i = s.files.findIndex((f) => f.path === file);
      if (i < 0) continue;
      const f = await read();
      this.readNow?.add(f);
      s.index = reanalyzeFile(s.index, i, f);
      s.files = s.index.files;
      changed = true;
    }
    if (!changed && this.inVersionFolder(file).length) return this.diskChanged(file, 'created');
    return changed;
  }

  /** Every finding, grouped by file. */
  findingsByPath(): Map<string, Finding[]> {
    const out = new Map<string, Finding[]>();
    for (const s of this.states) {
      for (const f of s.index.findings) {
        const list = out.get(f.path) ?? [];
        list.push(f);
        out.set(f.path, list);
      }
    }
    return out;
  }

  /**
   * After a change: moves graphVersion on when the client's graph is out of date. A setup whose
   * graph changed is only marked (rebuilt when the client asks, see graphs()); otherwise the
   * revisions whose file or counts changed are patched, which is cheap (typing in upgrade()
   * changes nothing, a new message changes one revision).
   */
  notePayloadChanges(): void {
    const key = this.payloadKey();
    let changed = this.announced.length !== this.states.length || this.states.some((s, k) => s !== this.announced[k]);
    for (const s of this.states) {
      if (s.stale) continue; // announced already, not rebuilt yet
      const p = s.payload;
      if (!p || p.key !== key || p.graph !== s.index.graph || p.generation !== derivedOf(s.index.graph).generation) {
        s.stale = true;
        changed = true;
        continue;
      }
      s.payload = patched(p, s.index);
      if (s.payload.out !== p.out) changed = true;
    }
    this.announced = this.states.slice();
    if (changed) this.graphVersion++;
  }

  /** The graph payload for the client's views (see notePayloadChanges). */
  graphs(): SetupGraph[] {
    this.notePayloadChanges();
    const multi = this.states.length > 1;
    const folders = this.folders();
    const key = this.payloadKey();
    return this.states.map((s) => {
      if (s.stale || !s.payload) {
        const ix = s.index;
        s.payload = { key, graph: ix.graph, generation: derivedOf(ix.graph).generation, files: ix.files, findings: ix.findings, out: toSetupGraph(ix, s.setup, multi, folders) };
        s.stale = false;
      }
      return s.payload.out;
    });
  }

  private payloadKey(): string {
    return JSON.stringify([this.states.length > 1, this.folders()]);
  }

  /** The setups the last notePayloadChanges saw. */
  private announced: SetupState[] = [];
}

/** The payload with the revisions whose file or counts changed replaced (the same object when none did). */
function patched(p: Payload, ix: SetupIndex): Payload {
  if (p.files === ix.files && p.findings === ix.findings) return p;
  const counts = countsByPath(ix.findings);
  let revisions: RevisionInfo[] | undefined;
  p.out.revisions.forEach((r, j) => {
    const n = ix.graph.nodes.get(r.id)!;
    const f = ix.files[n.key];
    const c = counts.get(f.path);
    if (f === p.files[n.key] && (c?.e ?? 0) === r.errors && (c?.w ?? 0) === r.warnings) return;
    const now = revisionInfo(n, f, c, r.labels); // same graph: same labels
    if (JSON.stringify(now) === JSON.stringify(r)) return;
    revisions ??= p.out.revisions.slice();
    revisions[j] = now;
  });
  const totals = setupTotals(ix);
  const same = revisions === undefined && totals.errors === p.out.errors && totals.warnings === p.out.warnings && JSON.stringify(totals.problems) === JSON.stringify(p.out.problems);
  const out = same ? p.out : { ...p.out, ...totals, revisions: revisions ?? p.out.revisions };
  return { ...p, files: ix.files, findings: ix.findings, out };
}

function countsByPath(findings: readonly Finding[]): Map<string, { e: number; w: number }> {
  const counts = new Map<string, { e: number; w: number }>();
  for (const f of findings) {
    const c = counts.get(f.path) ?? { e: 0, w: 0 };
    if (f.severity === 'error') c.e++;
    else if (f.severity === 'warning') c.w++;
    counts.set(f.path, c);
  }
  return counts;
}

function revisionInfo(n: RevisionNode, f: ScriptFile, c: { e: number; w: number } | undefined, labels: number): RevisionInfo {
  const s = summaryOf(f);
  return {
    id: n.id, down: n.down, dependsOn: n.dependsOn, labels, ownLabels: n.ownLabels,
    message: s.message.split('\n')[0], createDate: s.createDate, path: f.path, line: s.line,
    isHead: n.isHead, isBase: n.isBase, isBranchPoint: n.isBranchPoint, isMergePoint: n.isMergePoint,
    errors: c?.e ?? 0, warnings: c?.w ?? 0,
  };
}

function setupTotals(ix: SetupIndex): Pick<SetupGraph, 'errors' | 'warnings' | 'problems'> {
  return {
    errors: ix.findings.filter((f) => f.severity === 'error').length,
    warnings: ix.findings.filter((f) => f.severity === 'warning').length,
    problems: ix.setup.findings.filter((f) => f.severity === 'error').map((f) => f.message),
  };
}

function toSetupGraph(ix: SetupIndex, setup: Setup, multi: boolean, folders: string[]): SetupGraph {
  const { graph, files } = ix;
  const counts = countsByPath(ix.findings);
  const cycle = graph.problems.some((p) => p.kind === 'cycle' || p.kind === 'dependency-cycle');
  const ordered = cycle ? [] : historyOrder(graph);
  const seen = new Set(ordered);
  for (const id of [...graph.order].reverse()) if (!seen.has(id)) ordered.push(id);
  // label lists are shared along branches: one entry per distinct list
  const labelSets: string[][] = [[]];
  const byList = new Map<readonly string[], number>();
  const byText = new Map<string, number>([['[]', 0]]);
  const labelIndex = (labels: readonly string[]): number => {
    let i = byList.get(labels);
    if (i === undefined) {
      const text = JSON.stringify(labels);
      i = byText.get(text);
      if (i === undefined) {
        i = labelSets.push([...labels]) - 1;
        byText.set(text, i);
      }
      byList.set(labels, i);
    }
    return i;
  };
  const revisions: RevisionInfo[] = ordered.map((id) => {
    const n = graph.nodes.get(id)!;
    const f = files[n.key];
    return revisionInfo(n, f, counts.get(f.path), labelIndex(n.labels));
  });
  const folder = folders.find((f) => (setup.configPath ?? setup.scriptLocation ?? '').startsWith(f + path.sep)) ?? folders[0] ?? '';
  const where = setup.configPath ? path.relative(folder, setup.configPath) : setup.scriptLocation ? path.relative(folder, setup.scriptLocation) : setup.id;
  return {
    id: setup.id, kind: setup.kind, section: setup.section,
    label: multi || setup.section !== 'alembic' ? `${where}${setup.section !== 'alembic' ? ` [${setup.section}]` : ''}` : where,
    configPath: setup.configPath, scriptLocation: setup.scriptLocation, versionLocations: setup.versionLocations, recursiveVersionLocations: setup.recursiveVersionLocations,
    heads: graph.heads, bases: graph.bases, revisions, labelSets, versionTable: setup.versionTable,
    cwd: setup.cwd, sqlalchemyUrl: setup.sqlalchemyUrl,
    ...setupTotals(ix),
  };
}
