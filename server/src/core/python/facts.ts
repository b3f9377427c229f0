/** What a migration file says, as both readers (tree-sitter and the fast scanner) report it. */
import type { LineIndex } from '../text';
import type { Span } from '../types';

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
  /**
   * Who read the file: 'tree-sitter' checks the syntax of the whole file; 'scanner' (the fast
   * path, scan.ts) reads the same facts but does not check every statement's syntax.
   */
  reader: 'tree-sitter' | 'scanner';
}

/**
 * Facts of the module docstring (decoded value `raw`, source range start..end): Alembic's
 * message (`Script.doc`: first paragraph of the stripped docstring), `Create Date:`, and the
 * `Revises:` line with its exact span.
 */
export function readDocFacts(text: string, raw: string, start: number, end: number, lines: Pick<LineIndex, 'span'>): DocFacts {
  const longdoc = raw.trim();
  const para = longdoc.indexOf('\n\n');
  const doc: DocFacts = { span: lines.span(start, end), message: para < 0 ? longdoc : longdoc.slice(0, para) };
  // `^[ \t]*Create Date:[ \t]*(.*?)[ \t]*$` (multiline), without a regular expression
  const date = keyLine(raw, 'Create Date:', 0, raw.length);
  if (date) doc.createDate = blankTrimmed(raw, date.after, date.end);
  // `^([ \t]*Revises:)([^\n]*)$` (multiline) in the docstring's source text
  const rv = keyLine(text, 'Revises:', start, end);
  if (rv) {
    // the line ends at a CR or LF (Python's line breaks: a CR LF's CR is not part of the line), or
    // where the closing quotes start
    const stop = end - closingQuotes(text, start);
    let lineEnd = rv.after;
    while (lineEnd < stop && text.charCodeAt(lineEnd) !== 10 && text.charCodeAt(lineEnd) !== 13) lineEnd++;
    const ids = revisesIds(text.slice(rv.after, lineEnd));
    doc.revises = { ids, span: lines.span(rv.lineStart, lineEnd) };
  }
  return doc;
}

const isBlank = (c: number): boolean => c === 32 || c === 9;

/** How many quote characters close the string literal that starts at `start` (after its prefix): 3 or 1. */
function closingQuotes(text: string, start: number): number {
  let q = start;
  while (q < text.length && /[A-Za-z]/.test(text[q])) q++;
  const quote = text[q];
  return quote !== undefined && text.startsWith(quote.repeat(3), q) ? 3 : 1;
}

/** s[from, to) without the spaces and tabs at either end (how the Create Date is read). */
export function blankTrimmed(s: string, from = 0, to = s.length): string {
  while (from < to && isBlank(s.charCodeAt(from))) from++;
  while (to > from && isBlank(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/** The ids after "Revises:" on its line: comma-separated, trimmed, empty ones left out. */
export function revisesIds(line: string): string[] {
  if (line.indexOf(',') === -1) {
    const id = line.trim();
    return id ? [id] : [];
  }
  return line.split(',').map((x) => x.trim()).filter(Boolean);
}
/** JavaScript's line terminators (where `^` and `$` of a multiline regular expression match). */
const isLineEnd = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * The first line of s[from, to) that starts with spaces or tabs, then `key`: where the line
 * starts, where the key ends, and where the line ends (at a line terminator, or `to`).
 */
function keyLine(s: string, key: string, from: number, to: number): { lineStart: number; after: number; end: number } | undefined {
  for (let k = s.indexOf(key, from); k >= 0 && k + key.length <= to; k = s.indexOf(key, k + 1)) {
    let ls = k;
    while (ls > from && isBlank(s.charCodeAt(ls - 1))) ls--;
    if (ls > from && !isLineEnd(s.charCodeAt(ls - 1))) continue;
    const after = k + key.length;
    let end = after;
    while (end < to && !isLineEnd(s.charCodeAt(end))) end++;
    return { lineStart: ls, after, end };
  }
  return undefined;
}

/** The strings a header value holds: `None` and `()` give [], `'a'` gives ['a']. */
export function valueItems(v: HeaderValue | undefined): StringItem[] {
  if (!v) return [];
  if (v.kind === 'str') return [v.item];
  if (v.kind === 'seq') return v.items;
  return [];
}

/**
 * Facts read from the LF copy of a text whose every line ends with CR LF (see lfOfCrlf), placed in
 * that text: an offset moves by one per line above it; lines and columns stay. (Values are the LF
 * copy's: Python reads source with universal newlines.) The facts are the readers' fresh objects
 * and are moved in place, each span once (one span can be held twice, as a value's and its item's);
 * spans on line 0, such as the shared unplaced one, need no move.
 */
export function placedInCrlf(facts: MigrationFacts): MigrationFacts {
  const moved = new Set<Span>();
  const move = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) move(x);
      return;
    }
    if ('endColumn' in v) {
      const s = v as Span;
      if (s.endLine !== 0 && !moved.has(s)) {
        moved.add(s);
        s.start += s.line;
        s.end += s.endLine;
      }
      return;
    }
    for (const k in v) move((v as Record<string, unknown>)[k]);
  };
  move(facts);
  return facts;
}
