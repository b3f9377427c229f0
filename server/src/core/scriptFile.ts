/**
 * A migration file as the core holds it: what was read of it, and the summary that the graph,
 * the history and the diagnostics read for every file.
 */
import * as path from 'path';
import { findingsOfFile } from './diagnostics/diagnostics';
import type { RevisionInput } from './graph/graph';
import { HeaderValue, MigrationFacts, placedInCrlf, valueItems } from './python/facts';
import { NO_STRINGS } from './graph/graph';
import { quickScan } from './python/quickScan';
import { standardScan } from './python/standardScan';
import { decodeSource, lfOfCrlf } from './text';
import type { Finding } from './types';

/** Alembic's legacy fallback: the revision id is an all-hex file name. */
const HEX_FILE = /^([a-f0-9]+)\.py$/;

export interface ScriptFile {
  path: string;
  /** What the parser read; undefined when the file could not be read or decoded. */
  facts?: MigrationFacts;
  readError?: string;
  /** The revision id Alembic would use (from `revision`, or an all-hex file name). */
  id?: string;
  idFromFilename?: boolean;
  /** What is read of every file; derived from the facts once (see summaryOf). */
  summary?: FileSummary;
}

/**
 * The part of a file's facts that the graph, the history and the diagnostics read for every
 * file. Everything else (spans, the docstring's lines, the function bodies) is read only for
 * the few files a finding, a hover or a symbol is about.
 */
export interface FileSummary {
  /** Alembic's message (`Script.doc`); '' when there is no docstring. */
  message: string;
  createDate?: string;
  /** 0-based line of the revision value (0 when there is none). */
  line: number;
  /** The graph input, without its key; undefined when Alembic could not load the file. */
  input?: Omit<RevisionInput, 'key'>;
  /** The findings about this file alone. */
  findings: Finding[];
}

/** The summary of a file (computed on first use). */
export function summaryOf(f: ScriptFile): FileSummary {
  return (f.summary ??= {
    message: f.facts?.doc?.message ?? '',
    createDate: f.facts?.doc?.createDate,
    line: f.facts?.headers.revision?.value.span.line ?? 0,
    input: revisionInput(f),
    findings: findingsOfFile(f),
  });
}

/**
 * A file the quick scanner read (the shape `alembic revision` writes; most files of a large
 * history). It keeps its text and summary; its facts are read again from the text (~5 µs) each
 * time something asks for them, and not kept, so a request that reads every file (references,
 * rename) does not leave every file holding its facts again. Holding a few objects per file
 * instead of a few dozen is most of what garbage collection costs when thousands of files are
 * read at once.
 */
export class QuickFile implements ScriptFile {
  id?: string;
  idFromFilename?: boolean;
  summary?: FileSummary;
  private kept: MigrationFacts | undefined;
  /** The text, or the bytes it was decoded from (a file read and summarized on another thread). */
  constructor(readonly path: string, private readonly source: string | Uint8Array, facts?: MigrationFacts) {
    this.kept = facts;
  }

  /** The text this file was read from (bytes from another thread were decoded there once already). */
  private text(): string {
    return typeof this.source === 'string' ? this.source : (decodeSource(this.source) as { text: string }).text;
  }

  /** The facts: read again from the source on each call once settled (never kept: see the class comment). */
  get facts(): MigrationFacts {
    return this.kept ?? quickFacts(this.text(), true)!;
  }

  /** Whether `text` is the text this file was read from. */
  readFrom(text: string): boolean {
    return this.text() === text;
  }

  /** Takes the summary and lets the facts go. */
  settle(): this {
    summaryOf(this);
    this.kept = undefined;
    return this;
  }
}

/**
 * The quick tiers' facts of a text: with every place, or (`positions` false) only the revision's
 * (see quickScan) — the exact shape `alembic revision` writes by regular expressions, anything else
 * by the loop. A text whose lines all end with CR LF (a Windows checkout) is read as its LF copy,
 * the places moved back into it. Undefined where the quick tiers decline.
 */
function quickFacts(text: string, positions: boolean): MigrationFacts | undefined {
  const crlf = text.indexOf('\r') !== -1;
  const lf = crlf ? lfOfCrlf(text) : text;
  if (lf === undefined) return undefined;
  const facts = positions ? quickScan(lf) : standardScan(lf) ?? quickScan(lf, false);
  return facts && crlf ? placedInCrlf(facts) : facts;
}

/** A file read by the quick tier, with its id and summary taken; undefined when the quick tier does not know its shape. */
export function quickFile(path: string, text: string): QuickFile | undefined {
  // read without positions: the usual file has no finding of its own to place
  const facts = quickFacts(text, false);
  if (!facts) return undefined;
  const f = withId(new QuickFile(path, text, facts));
  return summaryOf(f).findings.length ? withId(new QuickFile(path, text, quickFacts(text, true))).settle() : f.settle();
}

/** Sets the revision id Alembic would use. */
export function withId<F extends ScriptFile>(f: F): F {
  const rev = f.facts?.headers.revision?.value;
  if (rev?.kind === 'str') f.id = rev.item.value;
  else if (!rev || f.readError) {
    const m = HEX_FILE.exec(path.basename(f.path));
    if (m && !f.readError) {
      f.id = m[1];
      f.idFromFilename = true;
    }
  }
  return f;
}

/** Graph input of one file; undefined when Alembic could not load it. */
export function revisionInput(f: ScriptFile): Omit<RevisionInput, 'key'> | undefined {
  if (!f.facts || f.id === undefined) return undefined;
  const h = f.facts.headers;
  const down = h.down_revision?.value;
  if (!down || down.kind === 'unknown') return undefined; // missing or not knowable: reported by diagnostics
  return { id: f.id, down: values(down), dependsOn: values(h.depends_on?.value), branchLabels: values(h.branch_labels?.value) };
}

/** The strings of a header value; one shared (frozen) empty list for the usual None. */
function values(v: HeaderValue | undefined): string[] {
  const items = valueItems(v);
  return items.length ? items.map((i) => i.value) : NO_STRINGS;
}

