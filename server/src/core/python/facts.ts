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
export function readDocFacts(text: string, raw: string, start: number, end: number, lines: LineIndex): DocFacts {
  const longdoc = raw.trim();
  const para = longdoc.indexOf('\n\n');
  const doc: DocFacts = { span: lines.span(start, end), message: para < 0 ? longdoc : longdoc.slice(0, para) };
  // (the regular expressions only run when their keyword is there at all)
  const date = raw.includes('Create Date:') ? /^[ \t]*Create Date:[ \t]*(.*?)[ \t]*$/m.exec(raw) : null;
  if (date) doc.createDate = date[1];
  const revisesAt = text.indexOf('Revises:', start);
  const rv = revisesAt >= 0 && revisesAt < end ? /^([ \t]*Revises:)([^\n]*)$/m.exec(text.slice(start, end)) : null;
  if (rv) {
    const ids = rv[2].split(',').map((s) => s.trim()).filter(Boolean);
    const at = start + rv.index;
    doc.revises = { ids, span: lines.span(at, at + rv[0].length) };
  }
  return doc;
}

/** The strings a header value holds: `None` and `()` give [], `'a'` gives ['a']. */
export function valueItems(v: HeaderValue | undefined): StringItem[] {
  if (!v) return [];
  if (v.kind === 'str') return [v.item];
  if (v.kind === 'seq') return v.items;
  return [];
}
