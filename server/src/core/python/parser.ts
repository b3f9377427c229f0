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
import { DocFacts, HEADER_NAMES, HeaderName, HeaderValue, MigrationFacts, readDocFacts, StringItem } from './facts';
import { decodeStringLiteral } from './literals';

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
    // (typed against @types/emscripten, which sql.js's types also bring in)
    await Parser.init({ locateFile: () => runtime } as unknown as Parameters<typeof Parser.init>[0]);
    const lang = await Language.load(wasmPath('tree-sitter-python.wasm', 'tree-sitter-python'));
    const p = new Parser();
    p.setLanguage(lang);
    parser = p;
  })();
  return initPromise;
}

/**
 * What tree-sitter is given for a text: a lone CR made a LF, as Python's universal newlines read it
 * (tree-sitter's grammar breaks lines at LF and CR LF only: a file with old-Mac or CR CR LF line
 * ends parsed as a few long lines, with false syntax errors). Same length: offsets stay.
 */
const universalNewlines = (text: string): string => (text.indexOf('\r') === -1 ? text : text.replace(/\r(?!\n)/g, '\n'));

/** Parses any Python text with tree-sitter and hands the root to `use` (the tree is freed after). */
export function parseTree<T>(text: string, use: (root: Node) => T): T {
  if (!parser) throw new Error('initPythonParser() must complete before parseTree()');
  const tree = parser.parse(universalNewlines(text));
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
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
  const tree = parser.parse(universalNewlines(source));
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
    const facts: MigrationFacts = { headers: {}, syntaxErrors: [], truncated, reader: 'tree-sitter' };
    if (root.hasError) this.collectErrors(root, facts.syntaxErrors);
    const statements = root.namedChildren.filter((n): n is Node => !!n && !EXTRAS.has(n.type));
    const first = statements[0];
    if (first?.type === 'expression_statement' && first.childCount === 1) {
      const s = first.namedChild(0);
      if (s && (s.type === 'string' || s.type === 'concatenated_string')) {
        const doc = this.readDoc(s);
        if (doc) facts.doc = doc;
      }
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
        const inner = n.namedChildren.filter((c): c is Node => !!c && !EXTRAS.has(c.type));
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
          if (!c || EXTRAS.has(c.type)) continue;
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
        if (!c || EXTRAS.has(c.type)) continue;
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
    return raw === undefined ? undefined : readDocFacts(this.text, raw, n.startIndex, n.endIndex, this.lines);
  }

  private readFunction(st: Node, facts: MigrationFacts): void {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if (!def || def.type !== 'function_definition') return;
    const name = def.childForFieldName('name');
    if (!name || (name.text !== 'upgrade' && name.text !== 'downgrade')) return;
    const body = def.childForFieldName('body');
    const statements = body ? body.namedChildren.filter((c): c is Node => !!c && !EXTRAS.has(c.type)) : [];
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

/** Nodes that may appear anywhere and carry no value: comments and backslash continuations. */
const EXTRAS = new Set(['comment', 'line_continuation']);

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
