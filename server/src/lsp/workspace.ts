/**
 * The language server's index of every Alembic setup in the workspace: discovers setups, reads
 * their migration files once (fast scanner), then re-reads only what changes. Open editors win
 * over the disk: their text is parsed fully (tree-sitter) on every change.
 */
import * as path from 'path';
import {
  analyzeSetup, discoverSetups, historyOrder, listScriptFiles, loadScriptFile, readVersionTable, reanalyzeFile, scriptFromText,
} from '../core';
import type { CoreFs, Finding, ScriptFile, Setup, SetupIndex } from '../core';
import { initPythonParser } from '../core/python/parser';
import { loadListing, summaryOf } from '../core/project';
import type { ReadAhead } from '../core/readAhead';
import type { RevisionInfo, SetupGraph } from '../protocol';

interface SetupState {
  setup: Setup;
  files: ScriptFile[];
  listingFindings: Finding[];
  index: SetupIndex;
  /** The last graph payload and what it was built from (reused while both are the same). */
  payload?: { index: SetupIndex; key: string; graph: SetupGraph };
}

const CONFIG_FILE = /(^|[\\/])(alembic\.ini|[^\\/]*\.ini|pyproject\.toml|env\.py)$/;

export class WorkspaceIndex {
  private states: SetupState[] = [];
  private overlays = new Map<string, string>();
  version = 0;
  ready = false;

  /**
   * @param readAhead when the file system is the plain disk: makes a reader that reads migration
   *   files on another thread during a full index (see core/readAhead.ts)
   */
  constructor(private fs: CoreFs, private folders: () => string[], private configsFor: (folder: string) => string[], private readAhead?: () => ReadAhead) {}

  /** (Re)discovers every setup and reads every file. */
  async reindexAll(): Promise<void> {
    await initPythonParser();
    const states: SetupState[] = [];
    const ahead = this.readAhead?.();
    try {
      for (const folder of this.folders()) {
        const setups = await discoverSetups(this.fs, folder, { configs: this.configsFor(folder) });
        for (const setup of setups) states.push(await this.load(setup, ahead));
      }
    } finally {
      ahead?.close(); // no idle thread (and its memory) between full indexes
    }
    this.states = states;
    this.ready = true;
    this.version++;
  }

  private async load(setup: Setup, readAhead?: ReadAhead): Promise<SetupState> {
    await readVersionTable(this.fs, setup);
    const listed = await listScriptFiles(this.fs, setup);
    const files = await loadListing(this.fs, listed.files, 'fast', readAhead, (i) => {
      const open = this.overlays.get(listed.files[i]);
      return open === undefined ? undefined : scriptFromText(listed.files[i], open, 'full');
    });
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
    this.overlays.set(file, text);
    return this.refreshFile(file, () => scriptFromText(file, text, 'full'));
  }

  /** An editor closed a file: the disk is the truth again. */
  async documentClosed(file: string): Promise<boolean> {
    this.overlays.delete(file);
    return this.refreshFile(file, () => loadScriptFile(this.fs, file, 'full'));
  }

  /** A file changed, appeared or disappeared on disk. */
  async diskChanged(file: string, kind: 'created' | 'changed' | 'deleted'): Promise<boolean> {
    if (CONFIG_FILE.test(file) && !file.endsWith('.py') || path.basename(file) === 'env.py') {
      await this.reindexAll();
      return true;
    }
    if (!file.endsWith('.py')) return false;
    if (kind === 'changed') {
      if (this.overlays.has(file)) return false; // the editor's text wins
      return this.refreshFile(file, () => loadScriptFile(this.fs, file, 'full'));
    }
    const touched = this.inVersionFolder(file);
    for (const s of touched) {
      const fresh = await this.relist(s);
      this.states[this.states.indexOf(s)] = fresh;
    }
    if (touched.length) this.version++;
    return touched.length > 0;
  }

  /** Re-lists a setup's files, keeping what was already read. */
  private async relist(s: SetupState): Promise<SetupState> {
    const listed = await listScriptFiles(this.fs, s.setup);
    const known = new Map(s.files.map((f) => [f.path, f]));
    const files: ScriptFile[] = [];
    for (const f of listed.files) {
      const open = this.overlays.get(f);
      files.push(known.get(f) ?? (open !== undefined ? scriptFromText(f, open, 'full') : await loadScriptFile(this.fs, f, 'full')));
    }
    return { setup: s.setup, files, listingFindings: listed.findings, index: analyzeSetup(s.setup, files, listed.findings) };
  }

  private async refreshFile(file: string, read: () => ScriptFile | Promise<ScriptFile>): Promise<boolean> {
    let changed = false;
    for (const s of this.states) {
      const i = s.files.findIndex((f) => f.path === file);
      if (i < 0) continue;
      s.index = reanalyzeFile(s.index, i, await read());
      s.files = s.index.files;
      changed = true;
    }
    if (!changed && this.inVersionFolder(file).length) return this.diskChanged(file, 'created');
    if (changed) this.version++;
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

  /** The graph payload for the client's views. */
  graphs(): SetupGraph[] {
    const multi = this.states.length > 1;
    const folders = this.folders();
    const key = JSON.stringify([multi, folders]);
    return this.states.map((s) => {
      if (s.payload?.index !== s.index || s.payload.key !== key) {
        s.payload = { index: s.index, key, graph: toSetupGraph(s.index, s.setup, multi, folders) };
      }
      return s.payload.graph;
    });
  }
}

function toSetupGraph(ix: SetupIndex, setup: Setup, multi: boolean, folders: string[]): SetupGraph {
  const { graph, files } = ix;
  const counts = new Map<string, { e: number; w: number }>();
  for (const f of ix.findings) {
    const c = counts.get(f.path) ?? { e: 0, w: 0 };
    if (f.severity === 'error') c.e++;
    else if (f.severity === 'warning') c.w++;
    counts.set(f.path, c);
  }
  const cycle = graph.problems.some((p) => p.kind === 'cycle' || p.kind === 'dependency-cycle');
  const ordered = cycle ? [] : historyOrder(graph);
  const seen = new Set(ordered);
  for (const id of [...graph.order].reverse()) if (!seen.has(id)) ordered.push(id);
  const revisions: RevisionInfo[] = ordered.map((id) => {
    const n = graph.nodes.get(id)!;
    const f = files[n.key];
    const s = summaryOf(f);
    const c = counts.get(f.path) ?? { e: 0, w: 0 };
    return {
      id, down: n.down, dependsOn: n.dependsOn, labels: [...n.labels], ownLabels: n.ownLabels,
      message: s.message.split('\n')[0], createDate: s.createDate, path: f.path, line: s.line,
      isHead: n.isHead, isBase: n.isBase, isBranchPoint: n.isBranchPoint, isMergePoint: n.isMergePoint,
      errors: c.e, warnings: c.w,
    };
  });
  const folder = folders.find((f) => (setup.configPath ?? setup.scriptLocation ?? '').startsWith(f + path.sep)) ?? folders[0] ?? '';
  const where = setup.configPath ? path.relative(folder, setup.configPath) : setup.scriptLocation ? path.relative(folder, setup.scriptLocation) : setup.id;
  return {
    id: setup.id, kind: setup.kind, section: setup.section,
    label: multi || setup.section !== 'alembic' ? `${where}${setup.section !== 'alembic' ? ` [${setup.section}]` : ''}` : where,
    configPath: setup.configPath, scriptLocation: setup.scriptLocation, versionLocations: setup.versionLocations,
    heads: graph.heads, bases: graph.bases, revisions, versionTable: setup.versionTable,
    cwd: setup.cwd, sqlalchemyUrl: setup.sqlalchemyUrl,
    errors: ix.findings.filter((f) => f.severity === 'error').length,
    warnings: ix.findings.filter((f) => f.severity === 'warning').length,
    problems: setup.findings.filter((f) => f.severity === 'error').map((f) => f.message),
  };
}
