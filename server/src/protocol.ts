/**
 * Custom messages between the client (extension host) and the language server, typed once.
 * Imported by both sides; keep it free of runtime dependencies on either.
 */

/** One revision as the client shows it. */
export interface RevisionInfo {
  id: string;
  down: string[];
  dependsOn: string[];
  /**
   * Labels that apply (own + propagated): an index into the setup's `labelSets` (whole branches
   * share one list; sent once, not once per revision).
   */
  labels: number;
  ownLabels: string[];
  message: string;
  createDate?: string;
  path: string;
  /** 0-based line of the `revision = ...` value (where clicking opens the file). */
  line: number;
  isHead: boolean;
  isBase: boolean;
  isBranchPoint: boolean;
  isMergePoint: boolean;
  /** Number of error findings in this revision's file. */
  errors: number;
  warnings: number;
}

export interface SetupGraph {
  id: string;
  kind: string;
  /** Short name for the tree: the config's folder and section. */
  label: string;
  configPath?: string;
  scriptLocation?: string;
  /** Folders holding the migration files (the client watches each one). */
  versionLocations?: string[];
  /** Whether the version folders are walked recursively (Alembic's recursive_version_locations). */
  recursiveVersionLocations?: boolean;
  section: string;
  heads: string[];
  bases: string[];
  /** All revisions, newest first in `alembic history` order (revisions cut off by errors last). */
  revisions: RevisionInfo[];
  /** The distinct lists of branch labels that apply to revisions; [0] is the empty list. */
  labelSets: string[][];
  versionTable?: { name: string; schema?: string; known: boolean };
  /** Folder Alembic runs in (relative SQLite paths resolve here). */
  cwd: string;
  /** `sqlalchemy.url` of the config, as written (may hold a password: never log it). */
  sqlalchemyUrl?: string;
  /** Counts over every finding of the setup (config problems included). */
  errors: number;
  warnings: number;
  /** Config-level problems (missing script_location, broken interpolation...). */
  problems: string[];
}

/**
 * The files whose changes reach the language server as watched-file events: the client's own
 * watchers and the server's registration use these globs, and the client's folder watcher leaves
 * such paths to them (isWatchedFile says the same as the globs).
 */
export const WATCHED_GLOBS = ['**/*.py', '**/*.ini', '**/pyproject.toml'];
export const isWatchedFile = (p: string): boolean => /\.(py|ini)$|(^|[\\/])pyproject\.toml$/.test(p);

/** client -> server request: the graph of every setup in the workspace. */
export const GraphRequest = 'alembic/graph';
export interface GraphResult {
  /** Increments on every change; the client can skip identical refreshes. */
  version: number;
  /** False until the first index of every workspace folder is done. */
  ready: boolean;
  setups: SetupGraph[];
}

/**
 * client -> server request: discover every setup and read every migration file from disk again
 * (the Refresh command: the way back after file events were missed, e.g. changes made while the
 * editor was not watching). Answers once done; the graph notification follows as usual.
 */
export const ReindexRequest = 'alembic/reindex';

/** server -> client notification: the graph changed (files or configs); request it again. */
export const GraphChangedNotification = 'alembic/graphChanged';
export interface GraphChangedParams {
  version: number;
}

/** client -> server: settings the server needs (sent in initializationOptions and on change). */
export interface ServerSettings {
  /** `alembic.configs` per workspace folder URI. */
  configs: Record<string, string[]>;
}
export const SettingsNotification = 'alembic/settings';

/** client -> server request: status of a setup given the rows of its version table. */
export const StatusRequest = 'alembic/status';
export interface StatusParams {
  setupId: string;
  /** Rows of the version table; null when the table does not exist. */
  applied: string[] | null;
}
export type { DbStatus } from './core/db/status';

/** client -> server request: the steps `alembic upgrade/downgrade TARGET` would run from `current`. */
export const WalkRequest = 'alembic/walk';
export interface WalkParams {
  setupId: string;
  kind: 'upgrade' | 'downgrade';
  current: string[];
  target: string;
}
export type WalkResult = { steps: string[]; targets: string[] } | { error: string };
