/**
 * The Migrations view: one node per setup (when there are several), then the history newest
 * first. Children are built from the model only (no file access, no pop-ups) and paged, so a
 * 10,000-revision history opens instantly.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { DbStatus, RevisionInfo, SetupGraph } from '../../../server/src/protocol';
import type { GraphModel } from './model';
import type { SetupStatus, StatusService } from './status';

export type Node =
  | { kind: 'setup'; setup: SetupGraph }
  | { kind: 'revision'; setup: SetupGraph; rev: RevisionInfo }
  | { kind: 'more'; setup: SetupGraph; shown: number }
  | { kind: 'problem'; setup: SetupGraph; message: string };

export class HistoryTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private shown = new Map<string, number>();
  private sub: vscode.Disposable;

  private statusSub: vscode.Disposable | undefined;

  constructor(private model: GraphModel, private status?: StatusService) {
    this.sub = model.onDidChange(() => this.emitter.fire(undefined));
    this.statusSub = status?.onDidChange(() => this.emitter.fire(undefined));
  }

  dispose(): void {
    this.sub.dispose();
    this.statusSub?.dispose();
    this.emitter.dispose();
  }

  private pageSize(): number {
    return vscode.workspace.getConfiguration('alembic').get<number>('history.pageSize', 200);
  }

  /** Shows the next page of a setup's history. */
  showMore(setupId: string): void {
    this.shown.set(setupId, (this.shown.get(setupId) ?? this.pageSize()) + this.pageSize());
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const g = this.model.graph;
    if (!g) return [];
    if (!node) {
      if (g.setups.length === 1) return this.history(g.setups[0]);
      return g.setups.map((setup) => ({ kind: 'setup', setup }));
    }
    return node.kind === 'setup' ? this.history(node.setup) : [];
  }

  private history(setup: SetupGraph): Node[] {
    const limit = this.shown.get(setup.id) ?? this.pageSize();
    const out: Node[] = setup.problems.map((message) => ({ kind: 'problem', setup, message }));
    for (const rev of setup.revisions.slice(0, limit)) out.push({ kind: 'revision', setup, rev });
    if (setup.revisions.length > limit) out.push({ kind: 'more', setup, shown: limit });
    return out;
  }

  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'revision' && !item.tooltip) item.tooltip = revisionTooltip(node.setup, node.rev, this.status?.bySetup.get(node.setup.id));
    return item;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'setup': {
        const s = node.setup;
        const item = new vscode.TreeItem(s.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `setup:${s.id}`;
        const heads = s.heads.length > 1 ? ` · ${s.heads.length} heads` : '';
        const st = this.status?.bySetup.get(s.id);
        item.description = `${s.revisions.length} revisions${heads}${st?.kind === 'ok' ? ` · ${st.display}: ${st.status.summary}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(s.errors ? 'error' : s.heads.length > 1 ? 'warning' : 'database',
          s.errors ? new vscode.ThemeColor('list.errorForeground') : s.heads.length > 1 ? new vscode.ThemeColor('list.warningForeground') : undefined);
        item.tooltip = new vscode.MarkdownString(`**${s.label}**\n\n${s.configPath ?? s.scriptLocation ?? ''}\n\nheads: ${s.heads.join(', ') || '—'}`);
        item.contextValue = 'alembic.setup';
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(node.message.split(':')[0], vscode.TreeItemCollapsibleState.None);
        item.description = node.message;
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
        if (node.setup.configPath) item.command = { command: 'vscode.open', title: 'Open config', arguments: [vscode.Uri.file(node.setup.configPath)] };
        return item;
      }
      case 'more': {
        const left = node.setup.revisions.length - node.shown;
        const item = new vscode.TreeItem(`Show ${Math.min(left, this.pageSize())} more (${left} older)…`, vscode.TreeItemCollapsibleState.None);
        item.command = { command: 'alembic.showMore', title: 'Show more', arguments: [node.setup.id] };
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        return item;
      }
      case 'revision':
        return revisionItem(node.setup, node.rev, this.status?.bySetup.get(node.setup.id));
    }
  }
}

function revisionItem(setup: SetupGraph, r: RevisionInfo, st: SetupStatus | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(r.message || r.id, vscode.TreeItemCollapsibleState.None);
  item.id = `rev:${setup.id}:${r.id}:${r.path}`;
  const marks: string[] = [];
  let db = '';
  if (st?.kind === 'ok') {
    const sets = setsOf(st.status);
    if (sets.applied.has(r.id)) db = '● current';
    else if (sets.appliedSet.has(r.id)) db = '✓ applied';
    else if (sets.pending.has(r.id)) db = 'pending';
  }
  if (r.isHead) marks.push(setup.heads.length > 1 ? 'head ⚠' : 'head');
  if (r.isMergePoint) marks.push('merge');
  if (r.isBranchPoint) marks.push('branch point');
  if (r.isBase) marks.push('base');
  item.description = [db, r.id, r.ownLabels.length ? `[${r.ownLabels.join(', ')}]` : '', marks.join(', ')].filter(Boolean).join(' · ');
  item.iconPath = icon(setup, r);
  item.resourceUri = vscode.Uri.file(r.path);
  item.command = { command: 'alembic.openRevision', title: 'Open', arguments: [r.path, r.line] };
  item.contextValue = ['alembic.revision', r.isHead && 'head', r.isBase && 'base', r.isMergePoint && 'merge'].filter(Boolean).join('.');
  return item;
}

/** The revision's tooltip, built when VS Code shows it (not for every item of a page). */
function revisionTooltip(setup: SetupGraph, r: RevisionInfo, st: SetupStatus | undefined): vscode.MarkdownString {
  const labels = setup.labelSets[r.labels] ?? [];
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${r.id}** ${r.message ? `— ${escapeMd(r.message)}` : ''}\n\n`);
  md.appendMarkdown(`parents: ${r.down.length ? r.down.join(', ') : '— (base)'}\n\n`);
  if (r.dependsOn.length) md.appendMarkdown(`depends on: ${r.dependsOn.join(', ')}\n\n`);
  if (labels.length) md.appendMarkdown(`branch labels: ${labels.join(', ')}\n\n`);
  if (r.createDate) md.appendMarkdown(`created: ${r.createDate}\n\n`);
  if (r.errors || r.warnings) md.appendMarkdown(`$(error) ${r.errors} error(s), $(warning) ${r.warnings} warning(s) — see Problems\n\n`);
  md.appendMarkdown(`\`${path.basename(r.path)}\``);
  if (st?.kind === 'ok') {
    const sets = setsOf(st.status);
    const db = sets.applied.has(r.id) ? '● current' : sets.appliedSet.has(r.id) ? '✓ applied' : sets.pending.has(r.id) ? 'pending' : '';
    if (db) md.appendMarkdown(`\n\ndatabase: ${db} (${st.display})`);
  }
  return md;
}

/** Membership sets of a status, made once per status (a page asks for each of its items). */
const statusSets = new WeakMap<DbStatus, { applied: Set<string>; appliedSet: Set<string>; pending: Set<string> }>();
function setsOf(s: DbStatus): { applied: Set<string>; appliedSet: Set<string>; pending: Set<string> } {
  let x = statusSets.get(s);
  if (!x) {
    x = { applied: new Set(s.applied), appliedSet: new Set(s.appliedSet), pending: new Set(s.pending ?? []) };
    statusSets.set(s, x);
  }
  return x;
}

function icon(setup: SetupGraph, r: RevisionInfo): vscode.ThemeIcon {
  if (r.errors) return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  if (r.isHead) {
    return setup.heads.length > 1
      ? new vscode.ThemeIcon('arrow-circle-up', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon('arrow-circle-up', new vscode.ThemeColor('charts.green'));
  }
  if (r.isMergePoint) return new vscode.ThemeIcon('git-merge');
  if (r.isBranchPoint) return new vscode.ThemeIcon('repo-forked');
  if (r.isBase) return new vscode.ThemeIcon('circle-large-outline');
  return new vscode.ThemeIcon('git-commit');
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|]/g, (c) => `\\${c}`);
}
