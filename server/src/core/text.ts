import { isAscii, isUtf8 } from 'buffer';
import type { Span } from './types';

/** Maps UTF-16 offsets to 0-based line/column (lines break at LF, CR LF and a lone CR); built once per text, queried by binary search. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(readonly text: string) {}

  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      const t = this.text;
      if (t.indexOf('\r') === -1) {
        for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
      } else {
        // Python's (and VS Code's) line breaks: LF, CR LF and a lone CR
        for (let i = 0; i < t.length; i++) {
          const c = t.charCodeAt(i);
          if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
        }
      }
      this.starts = starts;
    }
    return this.starts;
  }

  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    return { line, column: offset - this.starts![line] };
  }

  span(start: number, end: number): Span {
    const line = this.lineOf(start);
    const endLine = this.lineOf(end);
    const starts = this.starts!;
    return { start, end, line, column: start - starts[line], endLine, endColumn: end - starts[endLine] };
  }
}

/** Decodes file bytes as Python would read a source file (UTF-8, optional BOM). */
export function decodeSource(bytes: Uint8Array): { text: string } | { error: string } {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.indexOf(0) !== -1) {
    return { error: 'the file contains NUL bytes (binary data); Python refuses to load it' };
  }
  let text: string;
  if (isAscii(b)) text = b.toString('latin1');
  else if (isUtf8(b)) {
    text = b.toString('utf8');
    // like TextDecoder('utf-8'), one byte order mark is dropped; then the one Python drops
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  } else {
    return { error: 'the file is not valid UTF-8; Python would fail to read it (save it as UTF-8)' };
  }
  return { text };
}

/**
 * The text with LF line ends when every line of it ends with CR LF (a Windows checkout), and no
 * CR stands alone; undefined for any other text (mixed line ends are left to the tokenizer).
 */
export function lfOfCrlf(text: string): string | undefined {
  const lf = text.replaceAll('\r\n', '\n');
  if (lf.indexOf('\r') !== -1) return undefined; // a CR alone (CR CR LF leaves one)
  // every LF left came from a CR LF: as many as were replaced
  let n = 0;
  for (let i = lf.indexOf('\n'); i !== -1; i = lf.indexOf('\n', i + 1)) n++;
  return n === text.length - lf.length ? lf : undefined;
}
