/**
 * A watcher per migrations folder, with Node's own fs.watch. VS Code's workspace watcher misses
 * files in folders created after it started (seen in code-server: nothing at all from a new
 * `migrations/versions/`), so each setup's script folder and version folders are watched here
 * too, and their events go to the language server like any watched-file event (duplicates are
 * harmless: the server re-reads). Kept in step with the setups.
 *
 * Folders that appear or go away in the workspace are forwarded too: a folder moved, copied or
 * checked out in one go (or one created just before its files) may never have its files reported
 * one by one, so the server searches a new folder for setups and re-lists a setup whose folders
 * went away.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { DidChangeWatchedFilesNotification, FileChangeType, type LanguageClient } from 'vscode-languageclient/node';
import { isWatchedFile } from '../../../server/src/protocol';
import { forwardsFolder, within } from './folderRules';
import type { GraphModel } from './model';

/** How long folder events are gathered before they are sent (a checkout or a copy comes in bursts). */
const APPEARED_DELAY_MS = 200;

export class FolderWatchers implements vscode.Disposable {
  private byDir = new Map<string, fs.FSWatcher>();
  private sub: vscode.Disposable;
  /** While a wanted folder is missing (a branch switch removed it), look again every 2 s. */
  private retry: NodeJS.Timeout | undefined;

  /**
   * Folder creations and deletions anywhere in the workspace (file events are watched elsewhere).
   * Changes too: VS Code reports a path deleted and created again (a folder replaced) as changed.
   */
  private folders = vscode.workspace.createFileSystemWatcher('**/*');
  /** Paths created or changed in the last moments, sent together (see flush). */
  private appeared = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private client: LanguageClient, private model: GraphModel) {
    this.sub = model.onDidChange(() => this.sync());
    this.sync();
    this.folders.onDidCreate((uri) => this.folderAppeared(uri));
    this.folders.onDidChange((uri) => this.folderAppeared(uri));
    this.folders.onDidDelete((uri) => this.folderDeleted(uri));
  }

  /** `watched`: reported by a watcher of a setup's own folder (it may lie outside the workspace folders). */
  private folderAppeared(uri: vscode.Uri, watched = false): void {
    if (uri.scheme !== 'file' || isWatchedFile(uri.fsPath)) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder && !watched) return;
    // node_modules, .git, hidden folders...: only when they hold or lie in migrations (see forwardsFolder)
    if (!forwardsFolder(folder ? path.relative(folder.uri.fsPath, uri.fsPath) : path.basename(uri.fsPath), uri.fsPath, this.model.graph?.setups ?? [])) return;
    this.appeared.add(uri.fsPath);
    this.flushTimer ??= setTimeout(() => void this.flush(), APPEARED_DELAY_MS);
  }

  /**
   * Sends the folders among what appeared, the outermost only: the server searches a folder with
   * everything in it, so a checkout that creates a thousand folders costs one search per new tree.
   */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const paths = [...this.appeared].sort((a, b) => a.length - b.length);
    this.appeared.clear();
    const sent: string[] = [];
    for (const p of paths) {
      if (sent.some((d) => p.startsWith(d + path.sep))) continue;
      const st = await fs.promises.stat(p).catch(() => undefined);
      if (!st?.isDirectory()) continue;
      sent.push(p);
      this.send(p, FileChangeType.Created);
    }
  }

  /** Only what holds a setup's config or folders: a gone file cannot be told from a gone folder. */
  private folderDeleted(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || isWatchedFile(uri.fsPath)) return;
    const gone = uri.fsPath;
    const under = (p: string | undefined): boolean => !!p && within(p, gone);
    const inside = (p: string): boolean => gone.startsWith(p + path.sep);
    const hit = this.model.graph?.setups.some((s) => under(s.configPath) || under(s.scriptLocation) || (s.versionLocations ?? []).some((v) => under(v) || inside(v)));
    if (hit) this.send(gone, FileChangeType.Deleted);
  }

  /** `afterGap`: folders that come back are re-listed by the server (files may have appeared meanwhile). */
  private sync(afterGap = false): void {
    const want = new Set<string>();
    for (const s of this.model.graph?.setups ?? []) {
      for (const d of s.versionLocations ?? []) want.add(d);
      if (s.scriptLocation) want.add(s.scriptLocation);
    }
    for (const [dir, w] of this.byDir) {
      if (!want.has(dir)) {
        w.close();
        this.byDir.delete(dir);
      }
    }
    let missing = false;
    for (const dir of want) {
      if (this.byDir.has(dir)) continue;
      try {
        const w = fs.watch(dir, { persistent: false }, (event, name) => {
          if (!fs.existsSync(dir)) {
            this.unwatch(dir); // the folder itself went away: watch it again when it is back
            this.sync(true);
          }
          if (name && name.endsWith('.py')) this.forward(path.join(dir, name.toString()), event);
          // a folder moved in at once (its files may never be reported one by one): the server
          // searches it, and lists a setup again whose version folders are walked into it
          else if (name && event === 'rename') this.folderAppeared(vscode.Uri.file(path.join(dir, name.toString())), true);
        });
        w.on('error', () => { this.unwatch(dir); this.sync(); });
        this.byDir.set(dir, w);
        if (afterGap) this.forward(path.join(dir, '__init__.py'), 'rename'); // a deleted-file event: the server re-lists the folder
      } catch {
        missing = true;
      }
    }
    if (missing && !this.retry) this.retry = setTimeout(() => { this.retry = undefined; this.sync(true); }, 2000);
  }

  private unwatch(dir: string): void {
    this.byDir.get(dir)?.close();
    this.byDir.delete(dir);
  }

  private forward(file: string, event: string): void {
    const known = this.model.graph?.setups.some((s) => s.revisions.some((r) => r.path === file)) ?? false;
    this.send(file, !fs.existsSync(file) ? FileChangeType.Deleted : event === 'change' || known ? FileChangeType.Changed : FileChangeType.Created);
  }

  private send(file: string, type: FileChangeType): void {
    void this.client.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: this.client.code2ProtocolConverter.asUri(vscode.Uri.file(file)), type }] });
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.folders.dispose();
    this.sub.dispose();
    clearTimeout(this.retry);
    for (const w of this.byDir.values()) w.close();
    this.byDir.clear();
  }
}
