/**
 * The language server: wires the workspace index to an LSP connection. startServer takes the
 * connection and the file system so tests can drive it over any stream.
 */
import { readFileSync } from 'fs';
import {
  Connection, DidChangeWatchedFilesNotification, ErrorCodes, FileChangeType, ResponseError, TextDocuments, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CoreFs, Finding, nodeFs } from '../core';
import { defaultReadAhead } from '../core/readAhead';
import { GraphChangedNotification, GraphRequest, GraphResult, ReindexRequest, ServerSettings, SettingsNotification, StatusParams, StatusRequest, WalkParams, WalkRequest, WalkResult, WATCHED_GLOBS } from '../protocol';
import { downgradeSteps, upgradeSteps } from '../core/graph/walk';
import { computeStatus } from '../core/db/status';
import * as features from './features';
import { DiskChange, mergeDiskChanges, WorkspaceIndex } from './workspace';

export function startServer(connection: Connection, fs: CoreFs): void {
  // Never write to stdout: it may be the LSP channel. Route console to the client's log.
  console.log = (...a: unknown[]) => connection.console.log(a.map(String).join(' '));
  console.error = (...a: unknown[]) => connection.console.error(a.map(String).join(' '));
  process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? e}`));
  process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${(e as Error)?.stack ?? e}`));

  const documents = new TextDocuments(TextDocument);
  let folders: string[] = [];
  let settings: ServerSettings = { configs: {} };
  const ws = new WorkspaceIndex(fs, () => folders, (folder) => settings.configs[features.toUri(folder)] ?? settings.configs[folder] ?? [], fs === nodeFs ? defaultReadAhead : undefined);
  /**
   * What each file's published diagnostics were, to send only what changed: the findings (the
   * same objects while the file and the graph findings are unchanged) and their JSON.
   */
  const published = new Map<string, { findings: Finding[]; key: string }>();
  const same = (a: Finding[], b: Finding[]): boolean => a.length === b.length && a.every((f, i) => f === b[i]);
  let indexing: Promise<void> = Promise.resolve();

  /** Runs index updates one after another, then publishes what changed. */
  const enqueue = (work: () => Promise<boolean | void>): Promise<void> => {
    indexing = indexing.then(async () => {
      try {
        const changed = await work();
        if (changed !== false) publish();
      } catch (e) {
        connection.console.error(`indexing failed: ${(e as Error).stack ?? e}`);
      }
    });
    return indexing;
  };

  const publish = (): void => {
    const byPath = ws.findingsByPath();
    const now = new Map<string, { findings: Finding[]; key: string }>();
    for (const [p, findings] of byPath) {
      const uri = features.toUri(p);
      const before = published.get(uri);
      if (before && same(before.findings, findings)) {
        now.set(uri, before);
        continue;
      }
      const diagnostics = findings.map(features.toDiagnostic);
      const key = JSON.stringify(diagnostics);
      now.set(uri, { findings, key });
      if (before?.key !== key) void connection.sendDiagnostics({ uri, diagnostics });
    }
    for (const uri of published.keys()) if (!now.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.clear();
    for (const [u, k] of now) published.set(u, k);
    // the client asks for the graph again only when its payload changed (not on every keystroke)
    ws.notePayloadChanges();
    if (ws.graphVersion !== notified.version || ws.ready !== notified.ready) {
      notified = { version: ws.graphVersion, ready: ws.ready };
      void connection.sendNotification(GraphChangedNotification, { version: ws.graphVersion });
    }
  };
  let notified = { version: -1, ready: false };

  /** Whether the client sends workspace folder changes (its workspace.workspaceFolders capability). */
  let folderEvents = false;

  connection.onInitialize((params) => {
    folders = (params.workspaceFolders ?? []).map((f) => features.toPath(f.uri)).filter((p): p is string => !!p);
    if (!folders.length && params.rootUri) {
      const p = features.toPath(params.rootUri);
      if (p) folders = [p];
    }
    const init = params.initializationOptions as Partial<ServerSettings> | undefined;
    if (init?.configs) settings = { configs: init.configs };
    folderEvents = !!params.capabilities.workspace?.workspaceFolders;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        completionProvider: { triggerCharacters: ['"', "'"] },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        renameProvider: { prepareProvider: true },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'alembic-migrations' },
    };
  });

  connection.onInitialized(() => {
    void enqueue(() => ws.reindexAll());
    // only for a client that sends folder changes (asking the others throws, and the watchers below were never registered)
    if (folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => features.toPath(f.uri)));
        folders = folders.filter((f) => !removed.has(f)).concat(e.added.map((f) => features.toPath(f.uri)).filter((p): p is string => !!p));
        void enqueue(() => ws.reindexAll());
      });
    }
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })),
    }).catch(() => undefined); // the client may register watchers itself
  });

  connection.onNotification(SettingsNotification, (s: ServerSettings) => {
    settings = s;
    void enqueue(() => ws.reindexAll());
  });

  connection.onRequest(ReindexRequest, async (): Promise<void> => {
    await enqueue(() => ws.reindexAll());
  });

  connection.onRequest(GraphRequest, async (): Promise<GraphResult> => {
    await indexing;
    const setups = ws.graphs();
    return { version: ws.graphVersion, ready: ws.ready, setups };
  });

  connection.onRequest(StatusRequest, async (p: StatusParams) => {
    await indexing;
    const ix = ws.setups.find((s) => s.setup.id === p.setupId);
    if (!ix) throw new ResponseError(ErrorCodes.InvalidParams, `no setup ${p.setupId}`);
    return computeStatus(ix.graph, p.applied ?? undefined);
  });

  connection.onRequest(WalkRequest, async (p: WalkParams): Promise<WalkResult> => {
    await indexing;
    const ix = ws.setups.find((s) => s.setup.id === p.setupId);
    if (!ix) return { error: `no setup ${p.setupId}` };
    const w = p.kind === 'upgrade' ? upgradeSteps(ix.graph, p.current, p.target) : downgradeSteps(ix.graph, p.current, p.target);
    return 'error' in w ? { error: w.error } : w;
  });

  documents.onDidChangeContent((e) => {
    const p = features.toPath(e.document.uri);
    if (p && p.endsWith('.py')) void enqueue(() => ws.documentChanged(p, e.document.getText()));
  });
  documents.onDidClose((e) => {
    const p = features.toPath(e.document.uri);
    if (p && p.endsWith('.py')) void enqueue(() => ws.documentClosed(p));
  });
  // one update (and one publish) per notification, one entry per path (see mergeDiskChanges)
  connection.onDidChangeWatchedFiles((e) => {
    const changes: Array<[string, DiskChange]> = [];
    for (const c of e.changes) {
      const p = features.toPath(c.uri);
      if (p) changes.push([p, c.type === FileChangeType.Created ? 'created' : c.type === FileChangeType.Deleted ? 'deleted' : 'changed']);
    }
    if (changes.length) void enqueue(() => ws.disksChanged(mergeDiskChanges(changes)));
  });

  const at = (uri: string, pos: { line: number; character: number }) => {
    const doc = documents.get(uri);
    const p = features.toPath(uri);
    return doc && p ? { doc, path: p, offset: doc.offsetAt(pos) } : undefined;
  };
  /** A handler at a position in an open document, once pending index updates are done. */
  const positional = <T>(fallback: T, fn: (a: NonNullable<ReturnType<typeof at>>) => T) =>
    async (params: { textDocument: { uri: string }; position: { line: number; character: number } }): Promise<T> => {
      await indexing;
      const a = at(params.textDocument.uri, params.position);
      return a ? fn(a) : fallback;
    };
  connection.onHover(positional(null, (a) => features.hover(ws, a.path, a.offset)));
  connection.onDefinition(positional(null, (a) => features.definition(ws, a.path, a.offset)));
  connection.onReferences((params) => positional([], (a) => features.references(ws, a.path, a.offset, params.context.includeDeclaration))(params));
  connection.onDocumentSymbol(async (params) => {
    await indexing;
    const p = features.toPath(params.textDocument.uri);
    return p ? features.documentSymbols(ws, p) : [];
  });
  connection.onWorkspaceSymbol(async (params) => {
    await indexing;
    return features.workspaceSymbols(ws, params.query);
  });
  connection.onCompletion(positional([], (a) => features.completion(ws, a.path, a.doc.getText(), a.offset)));
  connection.onCodeAction(async (params) => {
    await indexing;
    return features.codeActions(ws, params.textDocument.uri, params.context.diagnostics);
  });
  connection.onPrepareRename(positional(null, (a) => features.prepareRename(ws, a.path, a.offset)));
  connection.onRenameRequest(async (params) => {
    await indexing;
    const a = at(params.textDocument.uri, params.position);
    if (!a) return null;
    const textOf = (p: string): string => documents.get(features.toUri(p))?.getText() ?? readFileSync(p, 'utf8');
    try {
      return features.rename(ws, a.path, a.offset, params.newName, textOf);
    } catch (e) {
      throw new ResponseError(ErrorCodes.InvalidParams, (e as Error).message);
    }
  });

  documents.listen(connection);
  connection.listen();
}
