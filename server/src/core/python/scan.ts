/**
 * The fast path of the migration reader: a small Python tokenizer that reads what the
 * tree-sitter reader (parser.ts) reads, for the files it fully understands — which is nearly
 * every migration file `alembic revision` writes. It returns undefined for anything else
 * (a non-literal header value, a header assigned inside a block, a syntax problem it notices,
 * unusual statements near the header), and the caller then uses tree-sitter, which stays the
 * reference: tests assert that both readers give identical facts wherever the scanner answers.
 *
 * What the scanner does not do is a full syntax check of function bodies (`x = = 1` passes it):
 * facts it produces say `reader: 'scanner'`, and a full check (CLI `check`, the language
 * server for open files) re-reads with tree-sitter.
 */
import { LineIndex } from '../text';
import type { Span } from '../types';
import { decodeStringLiteral } from './literals';
import { emptyBlockText, quickScan } from './quickScan';
import { HEADER_NAMES, HeaderName, HeaderValue, MigrationFacts, readDocFacts, StringItem } from './facts';

type Kind = 'name' | 'str' | 'num' | 'op' | 'open' | 'close';
interface Tok {
  k: Kind;
  s: number;
  e: number;
  v: string;
}
interface Line {
  indent: number;
  toks: Tok[];
  /** For a line ending in ':' — the indented block after it, as a text range (not tokenized). */
  block?: { start: number; end: number };
}

const HEADER = new Set<string>(HEADER_NAMES);
const COMPOUND = new Set(['if', 'elif', 'else', 'try', 'except', 'finally', 'with', 'for', 'while', 'class', 'def', 'async']);
const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const OPS = /\*\*=|\/\/=|>>=|<<=|->|:=|==|!=|<=|>=|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|@=|\*\*|\/\/|<<|>>|\.\.\.|[-+*/%@&|^~<>=.,:;!]/y;
const NAME = /[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*/y;
const NUM = /(?:\d[\w.]*|\.\d[\w]*)(?:[eE][-+]?\d+)?[jJ]?/y;
const STR_START = /([rRbBuUfFtT]{0,2})('''|"""|'|")/y;
const SPACE = /[ \t\f]+/y;

/** A header name used anywhere in a block's text. */
const HEADER_WORD = /\b(?:revision|down_revision|branch_labels|depends_on)\b/;

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

/** Splits the text into logical lines of tokens (comments dropped), or bails on what it cannot follow. */
function tokenize(text: string): Line[] {
  const lines: Line[] = [];
  const stack: string[] = [];
  let toks: Tok[] = [];
  let indent = 0;
  let atLineStart = true;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (atLineStart) {
      // measure indentation of a new logical line
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\f')) j++;
      if (text.slice(i, j).includes('\t')) bail();
      const next = text[j];
      if (next === '\n' || next === '\r' || next === '#' || j >= n) {
        // blank or comment-only line: skip to its end
        while (j < n && text[j] !== '\n' && text[j] !== '\r') j++;
        i = j;
        if (i < n) i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
        continue;
      }
      if (next === '\\') bail();
      indent = j - i;
      i = j;
      atLineStart = false;
      continue;
    }
    if (c === 10 || c === 13) {
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      if (stack.length) continue; // implicit continuation inside brackets
      const line: Line = { indent, toks };
      lines.push(line);
      toks = [];
      atLineStart = true;
      const last = line.toks[line.toks.length - 1];
      if (indent === 0 && last && last.k === 'op' && last.v === ':') {
        const end = skipBlock(text, i);
        line.block = { start: i, end };
        i = end;
      }
      continue;
    }
    if (c === 32 || c === 9 || c === 12) {
      SPACE.lastIndex = i;
      SPACE.exec(text);
      i = SPACE.lastIndex;
      continue;
    }
    if (c === 35) {
      // comment
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 92) {
      // backslash continuation
      const nx = text[i + 1];
      if (nx === '\n') i += 2;
      else if (nx === '\r') i += text[i + 2] === '\n' ? 3 : 2;
      else bail();
      continue;
    }
    STR_START.lastIndex = i;
    let m = STR_START.exec(text);
    if (m && (m[1] === '' || /^[rRbBuUfFtT]{1,2}$/.test(m[1]))) {
      const prefixOk = m[1] === '' || /^(?:[rRuUbBfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/.test(m[1]);
      if (!prefixOk) bail();
      const q = m[2];
      let j = i + m[0].length;
      for (;;) {
        if (j >= n) bail(); // unterminated string
        const ch = text[j];
        if (ch === '\\') {
          j += 2;
          continue;
        }
        if (q.length === 1 && (ch === '\n' || ch === '\r')) bail();
        if (text.startsWith(q, j)) {
          j += q.length;
          break;
        }
        j++;
      }
      toks.push({ k: 'str', s: i, e: j, v: '' });
      i = j;
      continue;
    }
    NAME.lastIndex = i;
    m = NAME.exec(text);
    if (m) {
      toks.push({ k: 'name', s: i, e: i + m[0].length, v: m[0] });
      i += m[0].length;
      continue;
    }
    NUM.lastIndex = i;
    m = NUM.exec(text);
    if (m) {
      toks.push({ k: 'num', s: i, e: i + m[0].length, v: m[0] });
      i += m[0].length;
      continue;
    }
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') {
      stack.push(ch);
      toks.push({ k: 'open', s: i, e: i + 1, v: ch });
      i++;
      continue;
    }
    if (ch === ')' || ch === ']' || ch === '}') {
      if (stack.pop() !== CLOSER[ch]) bail();
      toks.push({ k: 'close', s: i, e: i + 1, v: ch });
      i++;
      continue;
    }
    OPS.lastIndex = i;
    m = OPS.exec(text);
    if (!m) bail();
    toks.push({ k: 'op', s: i, e: i + m![0].length, v: m![0] });
    i += m![0].length;
  }
  if (stack.length) bail();
  if (toks.length) lines.push({ indent, toks });
  for (const l of lines) {
    if (l.indent !== 0) bail(); // unexpected indent (blocks were skipped whole)
    checkAdjacent(l.toks);
    const last = l.toks[l.toks.length - 1];
    if (last.k === 'op' && last.v === ':' && !l.block) bail(); // a block opener at the end of the file
  }
  return lines;
}

/** Strings, comments, brackets, continuations and newlines inside a block (a lone quote: unterminated string). */
const BLOCK_TOKEN = /"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''|"(?:[^"\\\r\n]|\\[\s\S])*"|'(?:[^'\\\r\n]|\\[\s\S])*'|["']|#[^\r\n]*|[()[\]{}]|\r\n|\r|\n/g;

/**
 * Skips the indented block that starts at `from` (just after the newline of its header) without
 * tokenizing it: returns where the next line at column 0 starts (or the end of the text).
 * Follows strings and brackets so a column-0 line inside them does not end the block.
 */
function skipBlock(text: string, from: number): number {
  // the block must start with an indented line (blank and comment lines aside)
  const first = /(?:[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n))*([ \t\f]*)(?=\S)/y;
  first.lastIndex = from;
  const m = first.exec(text);
  if (!m || m[1].length === 0 || m[1].includes('\t')) return bail(); // expected an indented block
  let depth = 0;
  BLOCK_TOKEN.lastIndex = from;
  for (;;) {
    const t = BLOCK_TOKEN.exec(text);
    if (!t) break;
    const v = t[0];
    const c = v[0];
    if (c === '\n' || c === '\r') {
      if (depth) continue;
      const at = BLOCK_TOKEN.lastIndex;
      const next = text[at];
      if (next !== undefined && next !== ' ' && next !== '\t' && next !== '\f' && next !== '\n' && next !== '\r' && next !== '#') return at;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth < 0) bail();
    } else if (v.length === 1 && (c === '"' || c === "'")) bail(); // unterminated string
  }
  if (depth) bail();
  return text.length;
}


/** Words that may sit between two operands in an expression (`x if y else z`, `a not in b`). */
const JOINERS = new Set(['if', 'else', 'for', 'in', 'not', 'and', 'or', 'is', 'async', 'await', 'lambda', 'import', 'as', 'from', 'return', 'yield', 'del', 'assert', 'raise', 'print', 'global', 'nonlocal', 'with', 'while', 'elif', 'except', 'case', 'match', 'type', 'pass', 'None', 'True', 'False']);

const KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type']);

/** Keywords never followed by an operand. */
const NO_OPERAND = new Set(['pass', 'break', 'continue', 'True', 'False', 'None', 'try', 'finally']);

/** Words that may follow an operand (`'a' if x else 'b'`, `'a' in xs`). */
const AFTER_OPERAND = new Set(['if', 'else', 'for', 'in', 'not', 'and', 'or', 'is', 'as', 'async']);

/** Two operands side by side (`"doc"from x`, `1 'a'`) are a syntax error the tokens alone show. */
function checkAdjacent(toks: Tok[]): void {
  const first = toks[0];
  const last = toks[toks.length - 1];
  if (first.k === 'op' && !['@', '-', '+', '~', '*', '...'].includes(first.v)) bail();
  if (last.k === 'op' && ![':', ',', '...'].includes(last.v)) bail(); // `lembic.` or `x =` at the end of a line
  for (let i = 1; i < toks.length; i++) {
    const a = toks[i - 1];
    const b = toks[i];
    if (a.k === 'name' && b.k === 'name') {
      // `def f`, `import x`, `E as e`, `x if y` are fine; `x y`, `pass x` are not
      if (!(KEYWORDS.has(a.v) && !NO_OPERAND.has(a.v)) && !AFTER_OPERAND.has(b.v) && b.v !== 'import' && b.v !== 'from') bail();
      continue;
    }
    const operandA = a.k === 'str' || a.k === 'num' || a.k === 'close' || (a.k === 'name' && !JOINERS.has(a.v));
    const operandB = b.k === 'str' || b.k === 'num' || (b.k === 'name' && !(a.k === 'name' ? JOINERS : AFTER_OPERAND).has(b.v));
    if (a.k === 'close' && b.k === 'name' && (b.v === 'from' || b.v === 'import')) bail();
    if (operandA && operandB && !(a.k === 'str' && b.k === 'str')) bail();
  }
}


/** Splits tokens at depth-0 occurrences of an operator. */
function splitTop(toks: Tok[], op: string): Tok[][] {
  const parts: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.k === 'open') depth++;
    else if (t.k === 'close') depth--;
    if (depth === 0 && t.k === 'op' && t.v === op) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

const UNKNOWN = Symbol('unknown');
type Val = HeaderValue | typeof UNKNOWN;

/**
 * The fast reader: the recognizer of standard files (quickScan.ts) first, then this tokenizer.
 * Undefined when neither can vouch for the facts (the caller then parses with tree-sitter).
 * `tryQuick` false: the caller already knows the first tier said no.
 */
export function scanMigration(text: string, tryQuick = true): MigrationFacts | undefined {
  const quick = tryQuick ? quickScan(text) : undefined;
  if (quick) return quick;
  try {
    return new Scanner(text).run();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

class Scanner {
  private lines: LineIndex;
  private literals = new Map<string, HeaderValue>();
  constructor(private text: string) {
    this.lines = new LineIndex(text);
  }

  private span(s: number, e: number): Span {
    return this.lines.span(s, e);
  }

  run(): MigrationFacts {
    const lines = tokenize(this.text);
    const facts: MigrationFacts = { headers: {}, syntaxErrors: [], truncated: false, reader: 'scanner' };
    let first = true;
    for (let li = 0; li < lines.length; li++) {
      const t = lines[li].toks;
      const head = t[0];
      const isDecorator = head.k === 'op' && head.v === '@';
      const isCompound = isDecorator || (head.k === 'name' && (COMPOUND.has(head.v) || (head.v === 'match' && t.length > 1 && !(t[1].k === 'op' && (t[1].v === '=' || t[1].v === '.')))));
      if (isCompound) {
        const colon = t.findIndex((x) => x.k === 'op' && x.v === ':');
        if (splitTop(colon < 0 ? t : t.slice(0, colon), ';').length > 1) bail(); // `async; def f()`
        li = this.compound(lines, li, facts);
        first = false;
        continue;
      }
      if (lines[li].block) bail(); // a block after a simple statement
      for (const stmt of splitTop(t, ';')) {
        if (!stmt.length) continue;
        if (stmt[0].k === 'name' && COMPOUND.has(stmt[0].v)) bail(); // `x = 1; def f(): ...`
        if (first && stmt.every((x) => x.k === 'str')) {
          const raw = this.strings(stmt);
          if (raw !== undefined) facts.doc = readDocFacts(this.text, raw, stmt[0].s, stmt[stmt.length - 1].e, this.lines);
        } else {
          this.simple(stmt, facts);
        }
        first = false;
      }
    }
    return facts;
  }

  /** Decoded value of adjacent string tokens; undefined when one cannot be decoded. */
  private strings(toks: Tok[]): string | undefined {
    let out = '';
    for (const t of toks) {
      const v = decodeStringLiteral(this.text.slice(t.s, t.e));
      if (v === undefined) return undefined;
      out += v;
    }
    return out;
  }

  /** A compound statement starting at lines[li] (decorators first); returns its last line index. */
  private compound(lines: Line[], li: number, facts: MigrationFacts): number {
    let k = li;
    while (k < lines.length && lines[k].toks[0].k === 'op' && lines[k].toks[0].v === '@') {
      if (lines[k].block) bail();
      k++;
    }
    if (k >= lines.length) bail(); // decorator without a definition
    const line = lines[k];
    const t = line.toks;
    if (k > li && !(t[0].v === 'def' || t[0].v === 'class' || (t[0].v === 'async' && t[1]?.v === 'def'))) bail();
    if (t[0].v === 'async' && !['def', 'with', 'for'].includes(t[1]?.v)) bail();
    const blockText = line.block ? this.text.slice(line.block.start, line.block.end) : '';
    const isDef = t[0].v === 'def' || (t[0].v === 'async' && t[1]?.v === 'def');
    if (!isDef) {
      if (t[0].v === 'class') return k; // class bodies never assign module names we read
      // if/try/with/...: a header assigned in here makes the value depend on run time
      if (t.some((x) => x.k === 'name' && HEADER.has(x.v)) || HEADER_WORD.test(blockText)) bail();
      return k;
    }
    const nameTok = t[0].v === 'async' ? t[2] : t[1];
    if (!nameTok || nameTok.k !== 'name') bail();
    // the header ends at the first ':' at depth 0 after the parameters
    let depth = 0;
    let colon = -1;
    for (let i = 0; i < t.length; i++) {
      const x = t[i];
      if (x.k === 'open') depth++;
      else if (x.k === 'close') depth--;
      else if (depth === 0 && x.k === 'op' && x.v === ':') {
        colon = i;
        break;
      }
    }
    if (colon < 0) bail();
    if (nameTok.v !== 'upgrade' && nameTok.v !== 'downgrade') return k;
    const inline = t.slice(colon + 1);
    let empty: boolean;
    if (inline.length) {
      const body = splitTop(inline, ';').filter((st) => st.length);
      if (body.some((st) => st[st.length - 1].v === ',')) bail(); // `...,` is a tuple; leave it to tree-sitter
      empty = body.every((st) => st.length === 1 && ((st[0].k === 'name' && st[0].v === 'pass') || (st[0].k === 'op' && st[0].v === '...') || st[0].k === 'str'));
    } else {
      empty = emptyBlockText(blockText);
    }
    facts[nameTok.v] = { nameSpan: this.span(nameTok.s, nameTok.e), empty };
    return k;
  }

  private simple(stmt: Tok[], facts: MigrationFacts): void {
    const parts = splitTop(stmt, '=');
    if (parts.length < 2) {
      // not an assignment (call, import, augmented assignment, bare annotation...)
      const ann = splitTop(stmt, ':');
      if (ann.length > 1) {
        if (ann.length === 2 && ann[0].length === 1 && ann[0][0].k === 'name' && ann[1].length) return; // `name: type`
        bail(); // a ':' where Python allows none (`ifx:`)
      }
      if (stmt[0].k === 'name' && HEADER.has(stmt[0].v) && !(stmt[1]?.k === 'op' && stmt[1].v.endsWith('='))) bail();
      return;
    }
    const value = parts[parts.length - 1];
    if (!value.length) bail();
    const targets: { name: Tok; annotation?: string }[] = [];
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (p.length === 1 && p[0].k === 'name') {
        targets.push({ name: p[0] });
      } else if (i === 0 && parts.length === 2 && p.length >= 3 && p[0].k === 'name' && p[1].k === 'op' && p[1].v === ':') {
        targets.push({ name: p[0], annotation: this.text.slice(p[2].s, p[p.length - 1].e) });
      } else {
        bail(); // attribute, subscript or tuple targets: leave it to tree-sitter
      }
    }
    if (targets.some((x) => ['None', 'True', 'False', 'lambda', 'import', 'from', 'global', 'del', 'return', 'type'].includes(x.name.v))) bail();
    const v = this.value(value);
    for (const { name, annotation } of targets) {
      if (v === UNKNOWN) {
        if (HEADER.has(name.v)) bail();
        this.literals.delete(name.v);
        continue;
      }
      this.literals.set(name.v, v);
      if (HEADER.has(name.v)) {
        facts.headers[name.v as HeaderName] = { name: name.v as HeaderName, nameSpan: this.span(name.s, name.e), value: v, annotation };
      }
    }
  }

  /** A literal value (None, strings, tuples/lists of strings, a name bound to one) or UNKNOWN. */
  private value(toks: Tok[]): Val {
    const commas = splitTop(toks, ',');
    if (commas.length > 1) {
      if (!commas[commas.length - 1].length) return UNKNOWN; // trailing comma: span rules differ
      const items = this.items(commas);
      if (items === UNKNOWN) return UNKNOWN;
      return { kind: 'seq', span: this.span(toks[0].s, toks[toks.length - 1].e), items, brackets: 'tuple' };
    }
    const span = this.span(toks[0].s, toks[toks.length - 1].e);
    const first = toks[0];
    if (toks.every((x) => x.k === 'str')) {
      const s = this.strings(toks);
      if (s === undefined) return UNKNOWN;
      return { kind: 'str', span, item: { value: s, span } };
    }
    if (toks.length === 1 && first.k === 'name') {
      if (first.v === 'None') return { kind: 'none', span };
      const known = this.literals.get(first.v);
      if (!known) return UNKNOWN;
      if (known.kind === 'str') return { kind: 'str', span, item: { value: known.item.value, span } };
      if (known.kind === 'seq') return { ...known, span, items: known.items.map((i) => ({ value: i.value, span })) };
      return { ...known, span } as HeaderValue;
    }
    const last = toks[toks.length - 1];
    if (first.k === 'open' && last.k === 'close' && this.matching(toks)) {
      const inner = toks.slice(1, -1);
      if (first.v === '(') {
        if (!inner.length) return { kind: 'seq', span, items: [], brackets: 'tuple' };
        const parts = splitTop(inner, ',');
        if (parts.length === 1) {
          const v = this.value(inner);
          return v === UNKNOWN ? v : ({ ...v, span } as HeaderValue);
        }
        if (!parts[parts.length - 1].length) parts.pop();
        const items = this.items(parts);
        return items === UNKNOWN ? items : { kind: 'seq', span, items, brackets: 'tuple' };
      }
      if (first.v === '[') {
        if (!inner.length) return { kind: 'seq', span, items: [], brackets: 'list' };
        const parts = splitTop(inner, ',');
        if (!parts[parts.length - 1].length) parts.pop();
        const items = this.items(parts);
        return items === UNKNOWN ? items : { kind: 'seq', span, items, brackets: 'list' };
      }
    }
    return UNKNOWN;
  }

  /** True when toks[0] is closed by the last token (not `(a)(b)`). */
  private matching(toks: Tok[]): boolean {
    let depth = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.k === 'open') depth++;
      else if (t.k === 'close') {
        depth--;
        if (depth === 0 && i !== toks.length - 1) return false;
      }
    }
    return true;
  }

  private items(parts: Tok[][]): StringItem[] | typeof UNKNOWN {
    const out: StringItem[] = [];
    for (const p of parts) {
      if (!p.length) return UNKNOWN;
      const v = this.value(p);
      if (v === UNKNOWN || v.kind !== 'str') return UNKNOWN;
      out.push(v.item);
    }
    return out;
  }
}
