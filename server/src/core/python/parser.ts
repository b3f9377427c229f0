/**
 * Reads what Alembic reads from a migration file, statically, with tree-sitter (WASM):
 * the module-level `revision`, `down_revision`, `branch_labels`, `depends_on` (plain or
 * annotated assignments), the docstring (message, `Revises:`, `Create Date:`), and whether
 * `upgrade()` / `downgrade()` exist and do anything. Every value keeps its source span.
 * Values that are not literals are reported as `unknown`, never guessed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Language, Node, Parser } from 'web-tree-sitter';
import { LineIndex } from '../text';
import type { Span } from '../types';
import { decodeStringLiteral } from './literals';

export const HEADER_NAMES = ['revision', 'down_revision', 'branch_labels', 'depends_on'] as const;
export type HeaderName = (typeof HEADER_NAMES)[number];

export interface StringItem {
  value: string;
  span: Span;
}

export type HeaderValue =
  | { kind: 'none'; span: Span }
  | { kind: 'str'; span: Span; item: StringItem }
  | { kind: 'seq'; span: Span; items: StringItem[]; brackets: 'tuple' | 'list' }
  | { kind: 'unknown'; span: Span; text: string; reason: string };

export interface HeaderAssignment {
  name: HeaderName;
  /** Span of the variable name on its assignment line. */
  nameSpan: Span;
  value: HeaderValue;
  /** The type annotation text, when annotated (`revision: str = ...`). */
  annotation?: string;
}

export interface FunctionFacts {
  nameSpan: Span;
  /** True when the body is only `pass`, `...`, a docstring and comments. */
  empty: boolean;
}

export interface DocFacts {
  span: Span;
  /** Alembic's `Script.doc`: the stripped docstring's first paragraph. */
  message: string;
  createDate?: string;
  /** Ids listed on a `Revises:` line, with the line's span. */
  revises?: { ids: string[]; span: Span };
}

export interface MigrationFacts {
  headers: Partial<Record<HeaderName, HeaderAssignment>>;
  doc?: DocFacts;
  upgrade?: FunctionFacts;
  downgrade?: FunctionFacts;
  /** Spans of syntax errors (tree-sitter ERROR / MISSING nodes). */
  syntaxErrors: Span[];
  /** True when only the start of a very large file was parsed (see MAX_FULL_PARSE). */
  truncated: boolean;
}

/** Files larger than this (UTF-16 units) are parsed up to their first top-level `def`/`class`. */
export const MAX_FULL_PARSE = 2_000_000;

let parser: Parser | undefined;
let initPromise: Promise<void> | undefined;

function wasmPath(file: string, pkg: string): string {
  // Bundled: the .wasm files sit beside the bundle (dist/). From sources: in node_modules.
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(`${pkg}/${file}`);
}

/** Loads the tree-sitter runtime and the Python grammar once per process. */
export function initPythonParser(): Promise<void> {
  initPromise ??= (async () => {
    const runtime = wasmPath('tree-sitter.wasm', 'web-tree-sitter');
    await Parser.init({ locateFile: () => runtime });
    const lang = await Language.load(wasmPath('tree-sitter-python.wasm', 'tree-sitter-python'));
    const p = new Parser();
    p.setLanguage(lang);
    parser = p;
  })();
  return initPromise;
}

/** Parses migration source text (from disk or an unsaved editor). Call initPythonParser first. */
export function parseMigration(text: string): MigrationFacts {
  if (!parser) throw new Error('initPythonParser() must complete before parseMigration()');
  let source = text;
  let truncated = false;
  if (text.length > MAX_FULL_PARSE) {
    const m = /^(?:async\s+def|def|class|@)\b/m.exec(text);
    source = m ? text.slice(0, m.index) : text.slice(0, MAX_FULL_PARSE);
    truncated = true;
  }
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return new FileReader(text).read(tree.rootNode, truncated);
  } finally {
    tree.delete();
  }
}

class FileReader {
  private lines: LineIndex;
  private literals = new Map<string, HeaderValue>();
  constructor(private text: string) {
    this.lines = new LineIndex(text);
  }

  private span(n: Node): Span {
    return this.lines.span(n.startIndex, n.endIndex);
  }

  read(root: Node, truncated: boolean): MigrationFacts {
    const facts: MigrationFacts = { headers: {}, syntaxErrors: [], truncated };
    if (root.hasError) this.collectErrors(root, facts.syntaxErrors);
    const statements = root.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment');
    const first = statements[0];
    if (first?.type === 'expression_statement' && first.namedChildCount === 1) {
      const s = first.namedChild(0);
      if (s && (s.type === 'string' || s.type === 'concatenated_string')) facts.doc = this.readDoc(s);
    }
    for (const st of statements) {
      if (st.type === 'expression_statement') this.readAssignment(st, facts);
      else if (st.type === 'function_definition' || st.type === 'decorated_definition') {
        this.readFunction(st, facts);
      } else if (COMPOUND.has(st.type)) {
        this.markConditional(st, facts);
      }
    }
    return facts;
  }

  private collectErrors(n: Node, out: Span[]): void {
    if (out.length >= 20) return;
    if (n.type === 'ERROR' || n.isMissing) {
      out.push(this.span(n));
      return;
    }
    for (const c of n.children) if (c && c.hasError) this.collectErrors(c, out);
    if (n.isMissing && out.length < 20) out.push(this.span(n));
  }

  private readAssignment(st: Node, facts: MigrationFacts): void {
    let node = st.namedChild(0);
    const targets: Node[] = [];
    let annotation: string | undefined;
    // `a = b = value` nests assignments on the right.
    while (node && node.type === 'assignment') {
      const left = node.childForFieldName('left');
      if (left) targets.push(left);
      const type = node.childForFieldName('type');
      if (type) annotation = type.text;
      const right = node.childForFieldName('right');
      if (!right) return; // bare annotation `revision: str` assigns nothing
      if (right.type !== 'assignment') {
        for (const t of targets) {
          if (t.type !== 'identifier') continue;
          const value = this.value(right);
          this.remember(t.text, value);
          if ((HEADER_NAMES as readonly string[]).includes(t.text)) {
            facts.headers[t.text as HeaderName] = {
              name: t.text as HeaderName, nameSpan: this.span(t), value, annotation,
            };
          }
        }
        return;
      }
      node = right;
    }
  }

  /** Keeps module-level literals so `down_revision = PARENT` resolves when PARENT = "abc". */
  private remember(name: string, value: HeaderValue): void {
    if (value.kind === 'unknown') this.literals.delete(name);
    else this.literals.set(name, value);
  }

  private markConditional(st: Node, facts: MigrationFacts): void {
    const assigned = new Set<string>();
    const walk = (n: Node, depth: number): void => {
      if (depth > 50) return;
      if (n.type === 'function_definition' || n.type === 'class_definition') return;
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier') assigned.add(left.text);
      }
      for (const c of n.namedChildren) if (c) walk(c, depth + 1);
    };
    walk(st, 0);
    for (const name of HEADER_NAMES) {
      if (!assigned.has(name)) continue;
      const prev = facts.headers[name];
      const span = this.span(st);
      facts.headers[name] = {
        name,
        nameSpan: prev?.nameSpan ?? this.lines.span(st.startIndex, st.startIndex + st.text.indexOf(':') + 1),
        value: {
          kind: 'unknown', span: prev?.value.span ?? span, text: st.text.split('\n')[0],
          reason: `it is assigned inside a \`${st.type.replace(/_statement$/, '')}\` block, so its value depends on run time`,
        },
        annotation: prev?.annotation,
      };
      this.literals.delete(name);
    }
  }

  private value(n: Node): HeaderValue {
    const span = this.span(n);
    switch (n.type) {
      case 'none':
        return { kind: 'none', span };
      case 'string':
      case 'concatenated_string': {
        const v = this.stringValue(n);
        if (v === undefined) return unknown(n, span, 'it is not a plain string literal (bytes, f-string with fields, or \\N{} escape)');
        return { kind: 'str', span, item: { value: v, span } };
      }
      case 'parenthesized_expression': {
        const inner = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        if (inner.length === 1) {
          const v = this.value(inner[0]);
          return { ...v, span } as HeaderValue;
        }
        return unknown(n, span, 'it is not a literal');
      }
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const items: StringItem[] = [];
        for (const c of n.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const v = this.value(c);
          if (v.kind === 'str') items.push(v.item);
          else if (v.kind === 'unknown') return { ...v, span };
          else return unknown(n, span, `its items must be strings (found \`${c.text}\`)`);
        }
        return { kind: 'seq', span, items, brackets: n.type === 'list' ? 'list' : 'tuple' };
      }
      case 'identifier': {
        const known = this.literals.get(n.text);
        if (known) return retarget(known, span);
        return unknown(n, span, `it refers to \`${n.text}\`, which is not a literal defined earlier in this file`);
      }
      default:
        return unknown(n, span, 'it is computed, not a literal');
    }
  }

  private stringValue(n: Node): string | undefined {
    if (n.type === 'concatenated_string') {
      let out = '';
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        const v = this.stringValue(c);
        if (v === undefined) return undefined;
        out += v;
      }
      return out;
    }
    if (n.type !== 'string') return undefined;
    for (const c of n.namedChildren) if (c?.type === 'interpolation') return undefined;
    return decodeStringLiteral(n.text);
  }

  private readDoc(n: Node): DocFacts | undefined {
    const raw = this.stringValue(n);
    if (raw === undefined) return undefined;
    const longdoc = raw.trim();
    const message = longdoc.split('\n\n')[0];
    const doc: DocFacts = { span: this.span(n), message };
    const date = /^[ \t]*Create Date:[ \t]*(.*?)[ \t]*$/m.exec(raw);
    if (date) doc.createDate = date[1];
    // Locate `Revises:` in the source text so its span is exact.
    const srcText = this.text.slice(n.startIndex, n.endIndex);
    const rv = /^([ \t]*Revises:)([^\n]*)$/m.exec(srcText);
    if (rv) {
      const ids = rv[2].split(',').map((s) => s.trim()).filter(Boolean);
      const start = n.startIndex + rv.index;
      doc.revises = { ids, span: this.lines.span(start, start + rv[0].length) };
    }
    return doc;
  }

  private readFunction(st: Node, facts: MigrationFacts): void {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if (!def || def.type !== 'function_definition') return;
    const name = def.childForFieldName('name');
    if (!name || (name.text !== 'upgrade' && name.text !== 'downgrade')) return;
    const body = def.childForFieldName('body');
    const statements = body ? body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
    const empty = statements.every((s) => {
      if (s.type === 'pass_statement') return true;
      if (s.type === 'expression_statement' && s.namedChildCount === 1) {
        const e = s.namedChild(0);
        return e?.type === 'ellipsis' || e?.type === 'string';
      }
      return false;
    });
    facts[name.text as 'upgrade' | 'downgrade'] = { nameSpan: this.span(name), empty };
  }
}

const COMPOUND = new Set([
  'if_statement', 'try_statement', 'with_statement', 'for_statement', 'while_statement', 'match_statement',
]);

function unknown(n: Node, span: Span, reason: string): HeaderValue {
  const text = n.text.length > 80 ? n.text.slice(0, 77) + '...' : n.text;
  return { kind: 'unknown', span, text, reason };
}

function retarget(v: HeaderValue, span: Span): HeaderValue {
  // A value reached through a name: report problems on the name, where the user looks.
  if (v.kind === 'str') return { kind: 'str', span, item: { value: v.item.value, span } };
  if (v.kind === 'seq') return { ...v, span, items: v.items.map((i) => ({ value: i.value, span })) };
  return { ...v, span };
}

/** The strings a header value holds: `None` and `()` give [], `'a'` gives ['a']. */
export function valueItems(v: HeaderValue | undefined): StringItem[] {
  if (!v) return [];
  if (v.kind === 'str') return [v.item];
  if (v.kind === 'seq') return v.items;
  return [];
}
