/**
 * LSP features over the workspace index: conversions between core data and LSP types, and the
 * handlers (hover, definition, references, symbols, completion, code actions). Each handler finds
 * the setup, asks the core, converts.
 */
import { fileURLToPath, pathToFileURL } from 'url';
import { randomBytes } from 'crypto';
import {
  CodeAction, CodeActionKind, CreateFile, TextDocumentEdit, WorkspaceEdit, CompletionItem, CompletionItemKind, Diagnostic, DiagnosticRelatedInformation,
  DiagnosticSeverity, DocumentSymbol, Hover, Location, MarkupKind, Range, SymbolInformation, SymbolKind, TextEdit,
} from 'vscode-languageserver/node';
import type { Finding, ScriptFile, SetupIndex, Span } from '../core';
import { HEADER_NAMES, HeaderName, valueItems } from '../core/python/facts';
import { mergeRevisionFile } from '../core/templates';
import { summaryOf } from '../core/project';
import type { WorkspaceIndex } from './workspace';

export const toUri = (p: string): string => pathToFileURL(p).href;
export function toPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

export function toRange(s: Span | undefined): Range {
  if (!s) return Range.create(0, 0, 0, 0);
  return Range.create(s.line, s.column, s.endLine, s.endColumn);
}

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  const d: Diagnostic = { range: toRange(f.span), severity: SEVERITY[f.severity], code: f.code, source: 'alembic', message: f.message };
  if (f.related?.length) {
    d.relatedInformation = f.related.map((r) => DiagnosticRelatedInformation.create(Location.create(toUri(r.path), toRange(r.span)), r.message));
  }
  if (f.fixes?.length) d.data = { fixes: f.fixes };
  return d;
}

/** The revision id (or label) written at an offset of a migration file, and where. */
export function referenceAt(file: ScriptFile, offset: number): { value: string; name: HeaderName; span: Span } | undefined {
  const h = file.facts?.headers;
  if (!h) return undefined;
  for (const name of HEADER_NAMES) {
    for (const item of valueItems(h[name]?.value)) {
      if (item.span.start <= offset && offset <= item.span.end) return { value: item.value, name, span: item.span };
    }
  }
  return undefined;
}

function resolveId(ix: SetupIndex, ref: string): string | undefined {
  if (ix.graph.nodes.has(ref)) return ref;
  return ix.graph.labels.get(ref);
}

function revisionLocation(ix: SetupIndex, id: string): Location | undefined {
  const n = ix.graph.nodes.get(id);
  if (!n) return undefined;
  const f = ix.files[n.key];
  return Location.create(toUri(f.path), toRange(f.facts?.headers.revision?.value.span));
}

export function hover(ws: WorkspaceIndex, file: string, offset: number): Hover | null {
  const at = ws.locate(file);
  if (!at) return null;
  const ref = referenceAt(at.file, offset);
  if (!ref || ref.name === 'branch_labels' && !at.index.graph.labels.has(ref.value)) return null;
  const { graph, files } = at.index;
  const id = resolveId(at.index, ref.value);
  if (!id) {
    return { range: toRange(ref.span), contents: { kind: MarkupKind.Markdown, value: `**${ref.value}** — not found in this history (${at.index.setup.id}).` } };
  }
  const n = graph.nodes.get(id)!;
  const f = files[n.key];
  const status = [n.isHead && 'head', n.isBase && 'base', n.isMergePoint && 'merge point', n.isBranchPoint && 'branch point'].filter(Boolean);
  const lines = [
    `**${id}**${summaryOf(f).message ? ` — ${summaryOf(f).message.split('\n')[0]}` : ''}${status.length ? `  \n_${status.join(', ')}_` : ''}`,
    '',
    `| | |`,
    `|---|---|`,
    `| parents | ${n.down.length ? n.down.map((x) => `\`${x}\``).join(', ') : '— (base)'} |`,
    `| children | ${n.next.length ? n.next.map((x) => `\`${x}\``).join(', ') : '— (head)'} |`,
  ];
  if (n.dependsOn.length) lines.push(`| depends on | ${n.dependsOn.map((x) => `\`${x}\``).join(', ')} |`);
  if (n.labels.length) lines.push(`| branch labels | ${n.labels.join(', ')} |`);
  if (summaryOf(f).createDate) lines.push(`| created | ${summaryOf(f).createDate} |`);
  lines.push(`| file | ${f.path.split(/[\\/]/).slice(-2).join('/')} |`);
  return { range: toRange(ref.span), contents: { kind: MarkupKind.Markdown, value: lines.join('\n') } };
}

export function definition(ws: WorkspaceIndex, file: string, offset: number): Location | null {
  const at = ws.locate(file);
  const ref = at && referenceAt(at.file, offset);
  if (!at || !ref) return null;
  const id = resolveId(at.index, ref.value);
  return (id && revisionLocation(at.index, id)) || null;
}

/** Where a revision is named: children's down_revision and dependents' depends_on (and its own id). */
export function references(ws: WorkspaceIndex, file: string, offset: number, includeDeclaration: boolean): Location[] {
  const at = ws.locate(file);
  const ref = at && referenceAt(at.file, offset);
  if (!at || !ref) return [];
  const id = resolveId(at.index, ref.value);
  if (!id) return [];
  const n = at.index.graph.nodes.get(id)!;
  const names = new Set([id, ...n.ownLabels]);
  const out: Location[] = [];
  if (includeDeclaration) {
    const loc = revisionLocation(at.index, id);
    if (loc) out.push(loc);
  }
  for (const f of at.index.files) {
    if (!mentions(f, names)) continue;
    for (const name of ['down_revision', 'depends_on'] as const) {
      for (const item of valueItems(f.facts?.headers[name]?.value)) {
        if (names.has(item.value)) out.push(Location.create(toUri(f.path), toRange(item.span)));
      }
    }
  }
  return out;
}

/**
 * Whether a file's down_revision or depends_on may name one of these ids or labels, from its
 * summary (so the facts of the thousands of other files are not read); true when unknown.
 */
function mentions(f: ScriptFile, names: Set<string>): boolean {
  const input = summaryOf(f).input;
  return !input || input.down.some((x) => names.has(x)) || input.dependsOn.some((x) => names.has(x));
}

export function documentSymbols(ws: WorkspaceIndex, file: string): DocumentSymbol[] {
  const at = ws.locate(file);
  const facts = at?.file.facts;
  if (!at || !facts) return [];
  const out: DocumentSymbol[] = [];
  for (const name of HEADER_NAMES) {
    const a = facts.headers[name];
    if (!a) continue;
    const items = valueItems(a.value).map((i) => i.value);
    const detail = a.value.kind === 'none' ? 'None' : a.value.kind === 'unknown' ? a.value.text : items.join(', ');
    const range = { start: toRange(a.nameSpan).start, end: toRange(a.value.span).end };
    out.push(DocumentSymbol.create(name, detail, name === 'revision' ? SymbolKind.Key : SymbolKind.Constant, range, toRange(a.nameSpan)));
  }
  for (const fn of ['upgrade', 'downgrade'] as const) {
    const f = facts[fn];
    if (f) out.push(DocumentSymbol.create(`${fn}()`, f.empty ? 'empty' : '', SymbolKind.Function, toRange(f.nameSpan), toRange(f.nameSpan)));
  }
  return out;
}

/** Find a revision by id prefix or by words of its message. */
export function workspaceSymbols(ws: WorkspaceIndex, query: string): SymbolInformation[] {
  const q = query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const ix of ws.setups) {
    for (const id of ix.graph.order) {
      const n = ix.graph.nodes.get(id)!;
      const f = ix.files[n.key];
      const msg = summaryOf(f).message.split('\n')[0];
      if (q && !id.toLowerCase().startsWith(q) && !msg.toLowerCase().includes(q)) continue;
      out.push(SymbolInformation.create(`${id} ${msg}`.trim(), SymbolKind.Key, toRange(f.facts?.headers.revision?.value.span), toUri(f.path), ix.setup.id));
      if (out.length >= 500) return out;
    }
  }
  return out;
}

/**
 * Completion of revision ids inside the strings of down_revision / depends_on: the current heads
 * first (what a new migration usually follows), then every id, newest first, with messages.
 */
export function completion(ws: WorkspaceIndex, file: string, text: string, offset: number): CompletionItem[] {
  const at = ws.locate(file);
  if (!at) return [];
  // the statement around the cursor: back to the nearest header assignment
  const before = text.slice(Math.max(0, offset - 2000), offset);
  const m = /(?:^|\n)[ \t]*(down_revision|depends_on)\b[^=\n]*=([^=]*)$/.exec(before);
  if (!m) return [];
  const quotes = (m[2].match(/(?<!\\)["']/g) ?? []).length;
  if (quotes % 2 === 0) return []; // not inside a string
  const { graph, files } = at.index;
  const self = at.file.id;
  const heads = new Set(graph.heads);
  const ordered = [...graph.heads, ...[...graph.order].reverse().filter((id) => !heads.has(id))];
  return ordered.filter((id) => id !== self).slice(0, 1000).map((id, i) => {
    const n = graph.nodes.get(id)!;
    const msg = summaryOf(files[n.key]).message.split('\n')[0];
    return {
      label: id, kind: CompletionItemKind.Value, detail: `${heads.has(id) ? 'head · ' : ''}${msg}`,
      sortText: String(i).padStart(6, '0'), filterText: id,
    };
  });
}

/** Quick fixes: those carried by the diagnostics (computed by the core), and the multiple-heads fixes. */
export function codeActions(ws: WorkspaceIndex, uri: string, diagnostics: Diagnostic[], now = new Date()): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const fixes = (d.data as { fixes?: Finding['fixes'] } | undefined)?.fixes;
    for (const fix of fixes ?? []) {
      const changes: Record<string, TextEdit[]> = {};
      for (const e of fix.edits) (changes[toUri(e.path)] ??= []).push(TextEdit.replace(toRange(e.span), e.newText));
      out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes }, isPreferred: fixes!.length === 1 });
    }
    if (d.code === 'alembic/multiple-heads') out.push(...headFixes(ws, uri, d, now));
  }
  return out;
}

/**
 * For a head among several: continue after another head (safe for a new file that forked:
 * only its own down_revision changes), or write a merge revision of all heads.
 */
function headFixes(ws: WorkspaceIndex, uri: string, d: Diagnostic, now: Date): CodeAction[] {
  const file = toPath(uri);
  const at = file && ws.locate(file);
  if (!at || !at.file.id) return [];
  const { graph, setup } = at.index;
  const out: CodeAction[] = [];
  const down = at.file.facts?.headers.down_revision?.value;
  const others = graph.heads.filter((h) => h !== at.file.id);
  if (down && (down.kind === 'str' || down.kind === 'none')) {
    for (const h of others.slice(0, 3)) {
      out.push({
        title: `Continue after head '${h}' (set down_revision = '${h}')`, kind: CodeActionKind.QuickFix, diagnostics: [d],
        edit: { changes: { [uri]: [TextEdit.replace(toRange(down.span), `'${h}'`)] } },
      });
    }
  }
  const folder = setup.versionLocations[0];
  if (folder) {
    const id = randomBytes(6).toString('hex');
    const date = now.toISOString().replace('T', ' ').replace('Z', '000');
    const m = mergeRevisionFile({ folder, id, heads: graph.heads, message: 'merge heads', date });
    const target = toUri(m.path);
    const edit: WorkspaceEdit = {
      documentChanges: [
        CreateFile.create(target, { ignoreIfExists: false }),
        TextDocumentEdit.create({ uri: target, version: null }, [TextEdit.insert({ line: 0, character: 0 }, m.text)]),
      ],
    };
    out.push({ title: `Merge the ${graph.heads.length} heads (new merge revision ${id})`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit });
  }
  return out;
}

/** Range of the id under the cursor when it can be renamed (a revision id or a reference to one). */
export function prepareRename(ws: WorkspaceIndex, file: string, offset: number): Range | null {
  const at = ws.locate(file);
  const ref = at && referenceAt(at.file, offset);
  if (!at || !ref || ref.name === 'branch_labels' || !at.index.graph.nodes.has(ref.value)) return null;
  return toRange(ref.span);
}

const QUOTED = /^([A-Za-z]*)('''|"""|'|")([\s\S]*)\2$/;

/**
 * Renames a revision id everywhere it is written: its `revision` value and every down_revision /
 * depends_on naming it (quotes kept). Throws with a message when the new id is not allowed.
 */
export function rename(ws: WorkspaceIndex, file: string, offset: number, newId: string, textOf: (p: string) => string): WorkspaceEdit | null {
  const at = ws.locate(file);
  const ref = at && referenceAt(at.file, offset);
  if (!at || !ref) return null;
  const old = ref.value;
  const { graph } = at.index;
  if (!graph.nodes.has(old)) return null;
  if (!newId || /[@\-+:\s'"\\]/.test(newId)) throw new Error(`'${newId}' is not a valid revision id (no @ - + : quotes or spaces).`);
  if (graph.nodes.has(newId) || graph.labels.has(newId)) throw new Error(`'${newId}' is already used in this history.`);
  const changes: Record<string, TextEdit[]> = {};
  const edit = (f: ScriptFile, span: Span): void => {
    const m = QUOTED.exec(textOf(f.path).slice(span.start, span.end));
    const text = m ? `${m[1]}${m[2]}${newId}${m[2]}` : `'${newId}'`;
    (changes[toUri(f.path)] ??= []).push(TextEdit.replace(toRange(span), text));
  };
  const names = new Set([old]);
  for (const f of at.index.files) {
    if (f.id !== old && !mentions(f, names)) continue;
    const h = f.facts?.headers;
    if (!h) continue;
    if (f.id === old && h.revision?.value.kind === 'str') edit(f, h.revision.value.span);
    for (const name of ['down_revision', 'depends_on'] as const) {
      for (const item of valueItems(h[name]?.value)) if (item.value === old) edit(f, item.span);
    }
  }
  return { changes };
}
