/**
 * The quick tier's front door for the exact shape `alembic revision` writes: a `"""` docstring,
 * imports and comments, the four header assignments in their usual order with plain literal
 * values, then `def` blocks. Regular expressions do all of the reading: V8 compiles them to
 * machine code at once, where the character loop of quickScan.ts runs interpreted until the JIT
 * has seen it often (a fresh process reading 10,000 benchmark files: the loop ~130 ms, ~50 ms
 * once warm; this tier ~60 ms — see the README's performance section).
 *
 * It answers only for files the character loop reads too, with the same facts (the facts of
 * quickScan(text, false): places only for the revision's value); anything else — other orders,
 * prefixes or escapes in the header strings, other annotations, decorators, a statement between
 * two functions, tabs or form feeds where indentation is read, brackets nested deeper than
 * MAX_DEPTH — returns undefined and the character loop reads the file. The differential tests
 * (test/unit/scan.test.ts) hold the two to that.
 *
 * How a function body is skipped mirrors the loop's block(): strings (triple-quoted ones across
 * lines), comments, backslash continuations and brackets (whose insides may go back to column 0)
 * are followed, a line at depth 0 must be blank, a comment, or indented at least as far as the
 * body's first line, and the block ends at the first line that starts at column 0 with code.
 * Every token starts with a different character, so the expression matches one way or not at
 * all (no backtracking blow-up on files it declines), and each block sits in an atomic lookahead.
 */
import { blankTrimmed, HeaderAssignment, HeaderName, HeaderValue, MigrationFacts, readDocFacts, revisesIds, StringItem } from './facts';
import { countedSpan, emptyBody, IMPORT, KW, NO_POSITIONS, NO_SPAN } from './quickScan';

/** A one-line string literal without prefix or backslash: its value is the text between the quotes. */
const PLAIN = String.raw`"[^"\\\n]*"|'[^'\\\n]*'`;
const SEQ = (open: string, close: string): string => String.raw`${open} *(?:(?:${PLAIN}) *, *)*(?:(?:${PLAIN}) *)?${close}`;
const VALUE = String.raw`None|${PLAIN}|${SEQ(String.raw`\(`, String.raw`\)`)}|${SEQ(String.raw`\[`, String.raw`\]`)}`;
/** The annotations of Alembic's templates (others go to the character loop, which reads any). */
const ANNOTATIONS = ['str', 'Optional[str]', 'Union[str, None]', 'Union[str, Sequence[str], None]', 'Union[str, Sequence[str]]', 'str | None', 'str | Sequence[str] | None', 'Sequence[str] | None', 'tuple[str, ...] | None'];
const ANNOTATION = ANNOTATIONS.map((a) => a.replace(/[[\]|.]/g, (c) => '\\' + c)).join('|');
const LINE_END = String.raw` *(?:#[^\n]*)?\n`;
/** Imports of Alembic's templates and of autogenerate, known to be what the loop's IMPORT expression reads. */
const KNOWN_IMPORTS = ['from alembic import op', 'import sqlalchemy as sa', 'from typing import Sequence, Union', 'from typing import Union', 'from sqlalchemy.dialects import postgresql', 'from sqlalchemy.dialects import mysql', 'from sqlalchemy.dialects import sqlite'];
/**
 * Between statements at module level: blank and comment lines, and imports: with `loose`, any
 * line starting `from `/`import `, each then held to the loop's own IMPORT expression (embedded
 * here, its ~2 KB five times over would cost more to compile than the reading).
 */
const lines = (loose: boolean): string =>
  String.raw`(?:[ \t]*(?:#[^\n]*)?\n|${loose ? String.raw`(?:from|import) [^\n]*\n` : String.raw`(?:${KNOWN_IMPORTS.join('|').replace(/\./g, '\\.')})${LINE_END}`})*`;
const header = (name: HeaderName, value: string, optional: boolean, loose: boolean): string =>
  String.raw`(?:${name} *(?:: *(${ANNOTATION}) *)?= *(${value})${LINE_END}${lines(loose)})${optional ? '?' : ''}`;
/** A docstring line that the searches for "Create Date:" and "Revises:" see as one line, and no quote or backslash. */
const DOC_LINE = String.raw`[^\n"\\\u2028\u2029]`;

/**
 * The docstring (group 1: its text; in the layout of Alembic's templates, 2: the message line,
 * 3: after "Revises:", 4: the date), then the headers (5: revision up to its value, 6 its
 * annotation, 7 its value; 8/9 down_revision's annotation and value, 10/11 branch_labels',
 * 12/13 depends_on's), with the lines between them.
 */
const head = (loose: boolean): RegExp => new RegExp(
  String.raw`^"""((?![ \t]*(?:Create Date|Revises):)(${DOC_LINE}*)\n\nRevision ID:${DOC_LINE}*\nRevises:(${DOC_LINE}*)\nCreate Date:(${DOC_LINE}*)\n\n(?=""")|(?:[^"\\]|"(?!""))*)"""${LINE_END}${lines(loose)}` +
    String.raw`(revision *(?:: *(${ANNOTATION}) *)?= *)(${PLAIN})${LINE_END}${lines(loose)}` +
    header('down_revision', VALUE, false, loose) + header('branch_labels', VALUE, true, loose) + header('depends_on', VALUE, true, loose),
);
/** With the known imports only (the usual file: nothing left to check), and with any. */
const HEAD = head(false);
const HEAD_LOOSE = head(true);

/**
 * Longer files go to the character loop: the expressions keep a backtracking entry per token, and
 * V8's stack for them runs out at a few million (a 10 MB data migration threw RangeError).
 */
const MAX_LENGTH = 1 << 20;
/** Deeper brackets than this in a function body: the character loop reads the file. */
const MAX_DEPTH = 8;
const STRING = String.raw`"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''|"(?!"")(?:[^"\\\n]|\\[^\n])*"|'(?!'')(?:[^'\\\n]|\\[^\n])*'`;
/** One character that means nothing to the block: not a line end, comment, quote, bracket or backslash. */
const ORDINARY = String.raw`[^\n#"'()[\]{}\\]`;
/** A comment, always to the end of its line (a shorter match would let its rest be read as code). */
const COMMENT = String.raw`#[^\n]*(?![^\n])`;
const COMMON = String.raw`${ORDINARY}|${STRING}|${COMMENT}|\\\n`;
let inside = '(?!)'; // past MAX_DEPTH: no match
for (let d = MAX_DEPTH; d >= 1; d--) inside = String.raw`[([{](?:${COMMON}|\n|${inside})*[)\]}]`;
/** A line end at depth 0, and the line it starts: blank, a comment, or indented at least as far as the body (group 3). */
const NEXT_LINE = String.raw`\n(?:[ ]*(?=\n|$)|[ ]*${COMMENT}|\3(?=[ ]*[^ \n#]))`;
/**
 * `def name() [-> None]:` (group 1: the name), then its body (group 2: blank and comment lines,
 * the first line's indentation as group 3, the rest, and the line end before the next statement).
 */
const DEF = new RegExp(
  String.raw`def +(?!${KW}\b)([A-Za-z_]\w*) *\( *\) *(?:-> *None *)?:${LINE_END}` +
    String.raw`(?=((?:[ ]*(?:#[^\n]*)?\n)*([ ]+)(?=[^ \t\n#\f])(?:${COMMON}|${inside}|${NEXT_LINE})*(?:\n(?=[^ \t\n#\f])|$)))\2`,
  'y',
);

/** A header value read from its text (already matched by VALUE). */
function value(text: string): HeaderValue {
  const c = text.charCodeAt(0);
  if (c === 78 /* N */) return { kind: 'none', span: NO_SPAN };
  if (c !== 40 /* ( */ && c !== 91 /* [ */) return { kind: 'str', span: NO_SPAN, item: { value: text.slice(1, -1), span: NO_SPAN } };
  const items: StringItem[] = [];
  let comma = false;
  for (let i = 1; i < text.length; i++) {
    const q = text.charCodeAt(i);
    if (q === 44 /* , */) comma = true;
    if (q !== 34 && q !== 39) continue;
    const end = text.indexOf(text[i], i + 1);
    items.push({ value: text.slice(i + 1, end), span: NO_SPAN });
    i = end;
  }
  if (c === 40 && items.length === 1 && !comma) return { kind: 'str', span: NO_SPAN, item: items[0] }; // ("a") is just "a"
  return { kind: 'seq', span: NO_SPAN, items, brackets: c === 40 ? 'tuple' : 'list' };
}

function assignment(name: HeaderName, annotation: string | undefined, v: HeaderValue): HeaderAssignment {
  return { name, nameSpan: NO_SPAN, value: v, annotation };
}

/** Whether every line from..to that starts with "from" or "import" is an import as the loop reads it. */
function importsRead(text: string, from: number, to: number): boolean {
  for (let k = text.indexOf('\n', from) + 1; k > 0 && k < to; k = text.indexOf('\n', k) + 1) {
    const c = text.charCodeAt(k);
    if (c !== 102 /* f */ && c !== 105 /* i */) continue;
    IMPORT.lastIndex = k;
    if (!IMPORT.test(text) || text.charCodeAt(IMPORT.lastIndex) !== 10) return false;
  }
  return true;
}

/** The facts quickScan(text, false) reads, for a file of the standard shape; undefined for any other file. */
export function standardScan(text: string): MigrationFacts | undefined {
  const n = text.length;
  if (n > MAX_LENGTH || text.charCodeAt(n - 1) !== 10 || text.indexOf('\r') !== -1) return undefined;
  let m = HEAD.exec(text);
  if (!m) {
    m = HEAD_LOOSE.exec(text);
    if (!m || !importsRead(text, m[1].length + 6, m[0].length)) return undefined;
  }
  const docEnd = m[1].length + 6;
  const facts: MigrationFacts = { headers: {}, syntaxErrors: [], truncated: false, reader: 'scanner' };
  const message = m[2]?.trimStart();
  if (message) {
    // what readDocFacts reads from this layout (the message line is the first paragraph)
    facts.doc = { span: NO_SPAN, message, createDate: blankTrimmed(m[4]), revises: { ids: revisesIds(m[3]), span: NO_SPAN } };
  } else facts.doc = readDocFacts(text, m[1], 0, docEnd, NO_POSITIONS);
  const h = facts.headers;
  // the revision's line is the first one after the docstring that starts with it (the others are blank, comments or imports)
  const rs = text.indexOf('\nrevision', docEnd - 1) + 1 + m[5].length;
  const span = countedSpan(text, rs, rs + m[7].length);
  h.revision = assignment('revision', m[6], { kind: 'str', span, item: { value: m[7].slice(1, -1), span } });
  h.down_revision = assignment('down_revision', m[8], value(m[9]));
  if (m[11] !== undefined) h.branch_labels = assignment('branch_labels', m[10], value(m[11]));
  if (m[13] !== undefined) h.depends_on = assignment('depends_on', m[12], value(m[13]));
  let i = m[0].length;
  while (i < n) {
    DEF.lastIndex = i;
    const d = DEF.exec(text);
    if (!d) return undefined;
    const name = d[1];
    const end = DEF.lastIndex;
    if (name === 'upgrade' || name === 'downgrade') facts[name] = { nameSpan: NO_SPAN, empty: emptyBody(text, end - d[2].length, end) };
    i = end;
  }
  return facts;
}
