/**
 * The first tier of the fast reader: a recognizer for the shape `alembic revision` writes —
 * a docstring, imports, comments, the four header assignments with literal values (plain or
 * annotated) and `def` blocks — that walks the text once with charCodeAt and builds nothing but
 * the facts. Function bodies are skipped (strings, comments and brackets followed so a line at
 * column 0 inside them does not end the block), never tokenized.
 *
 * Anything else (another statement at module level, a value spread over lines, a decorator, a
 * string prefix it does not decode, CR line ends...) makes it return undefined, and the
 * tokenizing scanner (scan.ts), then tree-sitter, read the file. Where it answers, its facts
 * are those tree-sitter gives (the differential tests in test/unit/scan.test.ts hold it to that).
 * For the template's exact layout, standardScan.ts answers first (regular expressions, no JIT
 * warm-up) with the facts this loop gives without positions.
 */
import { LineIndex } from '../text';
import type { Span } from '../types';
import { decodeStringLiteral } from './literals';
import { HEADER_NAMES, HeaderName, HeaderValue, MigrationFacts, readDocFacts, StringItem } from './facts';

const SP = 32;
const TAB = 9;
const NL = 10;
const HASH = 35;
const DQ = 34;
const SQ = 39;
const BSLASH = 92;

/** Python's hard keywords: never a name in an import, an annotation or a parameter list. */
const KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);
export const KW = '(?:False|None|True|and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield)';
const N = `(?!${KW}\\b)[A-Za-z_]\\w*`;
const DOTTED = `${N}(?:\\.${N})*`;
/** `import a.b as c, d` / `from .a.b import c as d, e` / `from a import *`, then a comment or the end of the line. */
export const IMPORT = new RegExp(`(?:import +${DOTTED}(?: +as +${N})?(?: *, *${DOTTED}(?: +as +${N})?)*|from +(?:\\.+ *(?:${DOTTED})?|${DOTTED}) +import +(?:\\*|${N}(?: +as +${N})?(?: *, *${N}(?: +as +${N})?)*)) *(?:#[^\\n]*)?(?=\\n|$)`, 'y');
/** A body with nothing but `pass`, `...`, docstrings, comments and blank lines (shared with scan.ts). */
const STR = `[rRbBuUfFtT]{0,2}(?:"""(?:[^"\\\\]|\\\\[\\s\\S]|"(?!""))*"""|'\'\'(?:[^'\\\\]|\\\\[\\s\\S]|'(?!''))*'\'\'|"(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*')`;
const SIMPLE_NOOP = `(?:pass|\\.\\.\\.|${STR})`;
/**
 * Statements separated by `;`, then blanks: every run of blanks is followed by something of its own
 * (a `;`, a comment, the line end), so a line matches one way only. (Written as `NOOP[ \\t]*(;...)*;?[ \\t]*`
 * the blanks after a statement could be split between two runs, and a body that is not empty
 * tried every split of every line: 16 lines of `pass` and three spaces took minutes.)
 */
const EMPTY_BODY = new RegExp(`^(?:[ \\t\\f]*(?:${SIMPLE_NOOP}(?:[ \\t]*;[ \\t]*${SIMPLE_NOOP})*(?:[ \\t]*;)?[ \\t]*)?(?:#[^\\r\\n]*)?(?:\\r\\n|\\r|\\n|$))*$`);

/** True when a block's text holds only `pass`, `...`, strings, comments and blank lines. */
export function emptyBlockText(text: string): boolean {
  try {
    return EMPTY_BODY.test(text);
  } catch {
    return false; // millions of lines for the expression's backtracking stack (RangeError): not called empty
  }
}

/**
 * Header annotations already read in full, each followed by ` = ` (the same few in every file of
 * a project: `str`, `Union[str, Sequence[str], None]`): seen again before `=`, they parse the same.
 */
const KNOWN_ANNOTATIONS = new Map<string, string>();

/** A one-line string literal without backslashes (the usual case; see stringEnd). */
const PLAIN_DQ = /"[^"\\\n]*"/y;
const PLAIN_SQ = /'[^'\\\n]*'/y;
/** Characters of a function body that mean nothing to block(): not a line end, comment, quote, bracket or backslash. */
const ORDINARY = /[^\n#"'()[\]{}\\]+/y;

const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57);

/** One span for every place when positions are not wanted (see quickScan). */
export const NO_SPAN: Span = Object.freeze({ start: 0, end: 0, line: 0, column: 0, endLine: 0, endColumn: 0 });
export const NO_POSITIONS: Pick<LineIndex, 'span'> = { span: () => NO_SPAN };

/** A span found by counting line ends, without an index of lines (for the one span wanted without positions). */
export function countedSpan(t: string, s: number, e: number): Span {
  let line = 0;
  let ls = 0;
  for (let k = t.indexOf('\n'); k !== -1 && k < s; k = t.indexOf('\n', k + 1)) {
    line++;
    ls = k + 1;
  }
  let endLine = line;
  let els = ls;
  for (let k = t.indexOf('\n', ls); k !== -1 && k < e; k = t.indexOf('\n', k + 1)) {
    endLine++;
    els = k + 1;
  }
  return { start: s, end: e, line, column: s - ls, endLine, endColumn: e - els };
}

/**
 * Reads the facts of a standard migration file, or returns undefined (see the file comment).
 * Without `positions`, every span is one shared placeholder except the revision value's (its line
 * is part of a file's summary): a summary needs no other place, and a cold index of thousands of
 * files spends a good part of its time making them. Whether it answers does not depend on it.
 */
export function quickScan(text: string, positions = true): MigrationFacts | undefined {
  if (text.indexOf('\r') !== -1) return undefined;
  return new Quick(text, positions).run();
}

class Quick {
  private readonly n: number;
  private lines: LineIndex;
  /** Whether the last string stringEnd() walked over holds a backslash. */
  private escaped = false;
  /** Where the last literal read by str() or value() ends. */
  private end = 0;
  /** Position of the next backslash (see backslashFrom); -2 before the first search. */
  private bs = -2;
  private bsFrom = 0;
  /** Reading the revision's value (see span). */
  private inRevision = false;
  constructor(private readonly t: string, private readonly positions: boolean) {
    this.n = t.length;
    this.lines = new LineIndex(t);
  }

  private span(s: number, e: number): Span {
    if (this.positions) return this.lines.span(s, e);
    return this.inRevision ? countedSpan(this.t, s, e) : NO_SPAN;
  }

  private c(i: number): number {
    return i < this.n ? this.t.charCodeAt(i) : -1;
  }

  private spaces(i: number): number {
    while (this.t.charCodeAt(i) === SP) i++;
    return i;
  }

  private word(i: number): number {
    if (!isNameStart(this.c(i))) return i;
    i++;
    while (i < this.n && isNameChar(this.t.charCodeAt(i))) i++;
    return i;
  }

  /** Whether the word from i to w is \`word\`. */
  private is(i: number, w: number, word: string): boolean {
    return w - i === word.length && this.t.startsWith(word, i);
  }

  /** After a statement: spaces, an optional comment, then a newline (consumed) or the end. -1 otherwise. */
  private lineEnd(i: number): number {
    i = this.spaces(i);
    if (i >= this.n) return this.n;
    let c = this.t.charCodeAt(i);
    if (c === HASH) {
      i = this.t.indexOf('\n', i);
      if (i < 0) return this.n;
      c = NL;
    }
    return c === NL ? i + 1 : -1;
  }

  run(): MigrationFacts | undefined {
    const t = this.t;
    const n = this.n;
    const facts: MigrationFacts = { headers: {}, syntaxErrors: [], truncated: false, reader: 'scanner' };
    let first = true;
    let i = 0;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === NL) {
        i++;
        continue;
      }
      if (c === SP || c === TAB || c === HASH) {
        // blank or comment line; anything else indented here is an unexpected indent
        let j = i;
        while (t.charCodeAt(j) === SP || t.charCodeAt(j) === TAB) j++;
        const d = this.c(j);
        if (d === HASH) j = t.indexOf('\n', j);
        else if (d !== NL && d !== -1) return undefined;
        if (j < 0 || j >= n) break;
        i = j + 1;
        continue;
      }
      let next: number;
      if (c === DQ || c === SQ) {
        if (!first) return undefined;
        next = this.docstring(i, facts);
      } else {
        const w = this.word(i);
        if (w === i) return undefined;
        if (this.is(i, w, 'import') || this.is(i, w, 'from')) {
          IMPORT.lastIndex = i;
          next = IMPORT.test(t) ? this.lineEnd(IMPORT.lastIndex) : -1;
        } else if (this.is(i, w, 'def')) {
          next = this.def(w, facts);
        } else {
          let name: HeaderName | undefined;
          for (const h of HEADER_NAMES) if (this.is(i, w, h)) name = h;
          if (!name) return undefined;
          next = this.header(name, i, w, facts);
        }
      }
      if (next < 0) return undefined;
      first = false;
      i = next;
    }
    return facts;
  }

  /** The module docstring: one string literal alone on its statement. */
  private docstring(s: number, facts: MigrationFacts): number {
    const e = this.stringEnd(s, true);
    if (e < 0) return -1;
    // no prefix here (a letter would have been read as a name); no escape: the text between the quotes
    const q = this.t.charCodeAt(s + 1) === this.t.charCodeAt(s) && e - s >= 6 ? 3 : 1;
    const raw = this.escaped ? decodeStringLiteral(this.t.slice(s, e)) : this.t.slice(s + q, e - q);
    if (raw === undefined) return -1;
    const next = this.lineEnd(e);
    if (next >= 0) facts.doc = readDocFacts(this.t, raw, s, e, this.positions ? this.lines : NO_POSITIONS);
    return next;
  }

  /**
   * End of the string literal whose opening quote is at q (prefix letters already passed), or
   * -1 when it is unterminated; triple-quoted strings only when `triple` is allowed.
   */
  private stringEnd(q: number, triple: boolean): number {
    const t = this.t;
    this.escaped = false;
    const quote = t.charCodeAt(q);
    if (t.charCodeAt(q + 1) === quote && t.charCodeAt(q + 2) === quote) {
      if (!triple) return -1;
      // the usual case, found by native searches: no backslash before the closing quotes
      const close = t.indexOf(quote === DQ ? '"""' : "\'\'\'", q + 3);
      const bs = this.backslashFrom(q + 3);
      if (bs < 0 || (close >= 0 && close < bs)) return close < 0 ? -1 : close + 3;
      for (let j = q + 3; j < this.n; j++) {
        const c = t.charCodeAt(j);
        if (c === BSLASH) {
          this.escaped = true;
          j++;
        } else if (c === quote && t.charCodeAt(j + 1) === quote && t.charCodeAt(j + 2) === quote) return j + 3;
      }
      return -1;
    }
    // the usual case: no backslash and no line end before the closing quote
    const plain = quote === DQ ? PLAIN_DQ : PLAIN_SQ;
    plain.lastIndex = q;
    if (plain.test(t)) return plain.lastIndex;
    for (let j = q + 1; j < this.n; j++) {
      const c = t.charCodeAt(j);
      if (c === BSLASH) {
        if (t.charCodeAt(j + 1) === NL) return -1; // a continued string: leave it to the scanner
        this.escaped = true;
        j++;
      } else if (c === quote) return j + 1;
      else if (c === NL) return -1;
    }
    return -1;
  }

  /** The next backslash at or after i (-1: none); searches only past the last one found, so linear over a file. */
  private backslashFrom(i: number): number {
    if (i < this.bsFrom || (this.bs !== -1 && this.bs < i)) this.bs = this.t.indexOf('\\', i);
    this.bsFrom = i;
    return this.bs;
  }

  /** `name [: annotation] = value` on one line. */
  private header(name: HeaderName, s: number, w: number, facts: MigrationFacts): number {
    const t = this.t;
    let i = this.spaces(w);
    let annotation: string | undefined;
    if (t.charCodeAt(i) === 58 /* : */) {
      const a = this.spaces(i + 1);
      const eq = t.indexOf('=', a);
      let e = eq;
      while (e > a && t.charCodeAt(e - 1) === SP) e--;
      const known = KNOWN_ANNOTATIONS.get(eq > 0 ? t.slice(a, e) : '');
      if (known !== undefined) {
        annotation = known; // one string shared by every file
        i = eq;
      } else {
        e = this.annotation(a);
        if (e < 0) return -1;
        annotation = t.slice(a, e);
        i = this.spaces(e);
        if (i === eq && KNOWN_ANNOTATIONS.size < 64) KNOWN_ANNOTATIONS.set(annotation, annotation);
      }
    }
    if (t.charCodeAt(i) !== 61 /* = */ || t.charCodeAt(i + 1) === 61) return -1;
    i = this.spaces(i + 1);
    this.inRevision = name === 'revision'; // its line is in the summary: placed even without positions
    const value = this.value(i);
    this.inRevision = false;
    if (!value) return -1;
    const next = this.lineEnd(this.end);
    if (next < 0) return -1;
    facts.headers[name] = { name, nameSpan: this.span(s, w), value, annotation };
    return next;
  }

  /** A type annotation: `X`, `a.B`, `X[...]` with annotations inside, `X | Y`, `None`, `...`. */
  private annotation(i: number, depth = 0): number {
    if (depth > 20) return -1;
    for (;;) {
      const t = this.t;
      if (t.startsWith('...', i)) {
        i += 3;
      } else {
        const w = this.word(i);
        if (w === i) return -1;
        const name = t.slice(i, w);
        if (name !== 'None' && KEYWORDS.has(name)) return -1;
        i = w;
        while (t.charCodeAt(i) === 46 /* . */) {
          const w2 = this.word(i + 1);
          if (w2 === i + 1 || KEYWORDS.has(t.slice(i + 1, w2))) return -1;
          i = w2;
        }
        if (t.charCodeAt(i) === 91 /* [ */) {
          i = this.spaces(i + 1);
          for (;;) {
            i = this.annotation(i, depth + 1);
            if (i < 0) return -1;
            i = this.spaces(i);
            const c = t.charCodeAt(i);
            if (c === 93 /* ] */) break;
            if (c !== 44 /* , */) return -1;
            i = this.spaces(i + 1);
          }
          i++;
        }
      }
      const j = this.spaces(i);
      if (t.charCodeAt(j) !== 124 /* | */) return i;
      i = this.spaces(j + 1);
    }
  }

  /** A string literal with an optional r/u prefix, decoded; undefined for anything else. */
  private str(i: number): StringItem | undefined {
    const t = this.t;
    let q = i;
    const c = t.charCodeAt(i);
    if (c === 114 || c === 82 || c === 117 || c === 85) q++; // r R u U
    const quote = t.charCodeAt(q);
    if (quote !== DQ && quote !== SQ) return undefined;
    const end = this.stringEnd(q, false);
    if (end < 0) return undefined;
    // no prefix and no escape: the text between the quotes is the value
    const value = q === i && !this.escaped ? t.slice(q + 1, end - 1) : decodeStringLiteral(t.slice(i, end));
    if (value === undefined) return undefined;
    this.end = end;
    return { value, span: this.span(i, end) };
  }

  /** `None`, a string, or a tuple/list of strings on one line. */
  private value(i: number): HeaderValue | undefined {
    const t = this.t;
    const c = t.charCodeAt(i);
    if (c === 78 /* N */ && t.startsWith('None', i) && !isNameChar(this.c(i + 4))) {
      this.end = i + 4;
      return { kind: 'none', span: this.span(i, i + 4) };
    }
    if (c === 40 /* ( */ || c === 91 /* [ */) {
      const close = c === 40 ? 41 : 93;
      const items: StringItem[] = [];
      let j = this.spaces(i + 1);
      let comma = false;
      while (t.charCodeAt(j) !== close) {
        const s = this.str(j);
        if (!s) return undefined;
        items.push(s);
        j = this.spaces(this.end);
        comma = t.charCodeAt(j) === 44;
        if (comma) j = this.spaces(j + 1);
        else if (t.charCodeAt(j) !== close) return undefined;
      }
      const end = (this.end = j + 1);
      const span = this.span(i, end);
      if (c === 40 && items.length === 1 && !comma) return { kind: 'str', span, item: items[0] }; // ("a") is just "a"
      return { kind: 'seq', span, items, brackets: c === 40 ? 'tuple' : 'list' };
    }
    const s = this.str(i);
    if (!s) return undefined;
    return { kind: 'str', span: s.span, item: s };
  }

  /** `def name(params) [-> annotation]:` and its indented block; records upgrade/downgrade. */
  private def(w: number, facts: MigrationFacts): number {
    const t = this.t;
    let i = w;
    if (t.charCodeAt(i) !== SP) return -1;
    i = this.spaces(i);
    const ns = i;
    const ne = this.word(i);
    if (ne === ns) return -1;
    const name = t.slice(ns, ne);
    if (KEYWORDS.has(name)) return -1;
    i = this.spaces(ne);
    if (t.charCodeAt(i) !== 40 /* ( */) return -1;
    // parameters: plain names only
    i = this.spaces(i + 1);
    const seen: string[] = [];
    while (t.charCodeAt(i) !== 41 /* ) */) {
      const pe = this.word(i);
      if (pe === i) return -1;
      const p = t.slice(i, pe);
      if (KEYWORDS.has(p) || seen.includes(p)) return -1;
      seen.push(p);
      i = this.spaces(pe);
      if (t.charCodeAt(i) === 44) i = this.spaces(i + 1);
      else if (t.charCodeAt(i) !== 41) return -1;
    }
    i = this.spaces(i + 1);
    if (t.charCodeAt(i) === 45 /* - */ && t.charCodeAt(i + 1) === 62 /* > */) {
      i = this.annotation(this.spaces(i + 2));
      if (i < 0) return -1;
      i = this.spaces(i);
    }
    if (t.charCodeAt(i) !== 58 /* : */) return -1;
    const bodyStart = this.lineEnd(i + 1); // an inline body (`def f(): pass`) is left to the scanner
    if (bodyStart < 0 || bodyStart >= this.n) return -1;
    const end = this.block(bodyStart);
    if (end < 0) return -1;
    if (name === 'upgrade' || name === 'downgrade') {
      facts[name] = { nameSpan: this.span(ns, ne), empty: emptyBody(t, bodyStart, end) };
    }
    return end;
  }

  /** The end of the indented block starting at `from` (the start of the line after its header). */
  private block(from: number): number {
    const t = this.t;
    const n = this.n;
    // the first line that is not blank or a comment must be indented with spaces
    let i = from;
    let indent: number;
    for (;;) {
      const j = this.spaces(i);
      const c = this.c(j);
      if (c === NL) i = j + 1;
      else if (c === HASH) {
        const e = t.indexOf('\n', j);
        if (e < 0) return -1;
        i = e + 1;
      } else if (c === -1 || c === TAB || j === i) return -1;
      else {
        indent = j - i;
        break;
      }
    }
    let depth = 0;
    i = from;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === NL) {
        i++;
        if (depth) continue;
        if (i >= n) return n;
        const d = t.charCodeAt(i);
        if (d !== SP && d !== TAB && d !== NL && d !== HASH && d !== 12) return i;
        if (d === SP) {
          // a line indented less than the block, but not at column 0, matches no level (IndentationError)
          const k = this.spaces(i);
          const e = t.charCodeAt(k);
          if (k - i < indent && e !== NL && e !== HASH && e !== TAB && k < n) return -1;
          i = k;
        }
      } else if (c === HASH) {
        const e = t.indexOf('\n', i);
        i = e < 0 ? n : e;
      } else if (c === DQ || c === SQ) {
        i = this.stringEnd(i, true);
        if (i < 0) return -1;
      } else if (c === 40 || c === 91 || c === 123) {
        depth++;
        i++;
      } else if (c === 41 || c === 93 || c === 125) {
        if (--depth < 0) return -1;
        i++;
      } else if (c === BSLASH) {
        if (t.charCodeAt(i + 1) !== NL) return -1;
        i += 2;
      } else {
        // a run of characters that mean nothing here, skipped by a native search
        ORDINARY.lastIndex = i;
        ORDINARY.test(t);
        i = ORDINARY.lastIndex;
      }
    }
    return depth ? -1 : n;
  }
}

/** True when the block t[from, to) holds only `pass`, `...`, strings and comments. */
export function emptyBody(t: string, from: number, to: number): boolean {
  // the usual case, a body that starts with a call or an assignment, needs no regular expression
  let j = from;
  while (t.charCodeAt(j) === SP) j++;
  let w = j;
  if (isNameStart(t.charCodeAt(w))) {
    w++;
    while (w < t.length && isNameChar(t.charCodeAt(w))) w++;
  }
  if (w > j) {
    const q = w < t.length ? t.charCodeAt(w) : -1;
    const prefix = w - j <= 2 && (q === DQ || q === SQ);
    if (!prefix && t.slice(j, w) !== 'pass') return false;
  }
  return emptyBlockText(t.slice(from, to));
}
