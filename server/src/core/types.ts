/**
 * Plain data shared by every part of the core. No LSP or VS Code types here: the CLI, the
 * benchmark and the language server all read these.
 */

/** A range in a file. Offsets and columns count UTF-16 code units (what JS strings and LSP use). */
export interface Span {
  start: number;
  end: number;
  line: number; // 0-based
  column: number; // 0-based
  endLine: number;
  endColumn: number;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A text edit that fixes a finding. */
export interface Edit {
  path: string;
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: Edit[];
}

export interface RelatedLocation {
  path: string;
  span?: Span;
  message: string;
}

/** One diagnostic produced by the core. `code` is stable (tests and users key on it). */
export interface Finding {
  code: string;
  severity: Severity;
  /** File the finding is about; for setup-level findings, the config file. */
  path: string;
  span?: Span;
  message: string;
  related?: RelatedLocation[];
  fixes?: Fix[];
  /** Structured facts for tools (ids involved, candidates...). */
  data?: Record<string, unknown>;
}

export interface DirEntry {
  name: string;
  kind: 'file' | 'dir' | 'other';
  /** True when the entry itself is a symbolic link (kind describes its target). */
  symlink?: boolean;
}

/**
 * What the core needs from a file system. The CLI passes the disk; the language server passes
 * the disk overlaid with unsaved editor text.
 */
export interface CoreFs {
  /** Raw bytes of a file. Rejects when the file cannot be read. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * The same without a promise and without a copy, when the file system can (the plain disk): a
   * cold index reads thousands of small files, and a promise and a copy per file are a measurable
   * part of it. The bytes are valid until the next read (the caller copies what it keeps). Throws
   * when the file cannot be read. A wrapper that changes readFile must change (or drop) this too.
   */
  readFileTransient?(path: string): Uint8Array;
  /** Entries of a folder; rejects when it is not a readable folder. */
  readDir(path: string): Promise<DirEntry[]>;
  /** Resolves symbolic links; rejects when the path does not exist. */
  realpath(path: string): Promise<string>;
  /** 'file' | 'dir' | undefined when the path does not exist. */
  kind(path: string): Promise<'file' | 'dir' | 'other' | undefined>;
}
