import type { Finding } from '../types';

/** One Alembic setup: what `alembic -c CONFIG -n SECTION` would use. Each has its own graph. */
export interface Setup {
  /** Stable key, e.g. `services/api/alembic.ini#alembic` (relative to the workspace folder). */
  id: string;
  /** How it was found. */
  kind: 'ini' | 'pyproject' | 'flask' | 'bare' | 'configured';
  /** The alembic.ini (absolute), when there is one. */
  configPath?: string;
  /** The ini section (`-n`), `alembic` by default. */
  section: string;
  /** pyproject.toml holding `[tool.alembic]`, when used. */
  pyprojectPath?: string;
  /** Folder alembic runs in (relative paths in the config resolve against it). */
  cwd: string;
  /** Absolute script location (holds env.py and, by default, versions/). */
  scriptLocation?: string;
  /** Absolute version folders, in config order, without duplicates. */
  versionLocations: string[];
  recursiveVersionLocations: boolean;
  sourceless: boolean;
  /** `sqlalchemy.url` after interpolation. May hold a password: never log it unredacted. */
  sqlalchemyUrl?: string;
  /**
   * The version table, from `context.configure(version_table=..., version_table_schema=...)`
   * literals in env.py; Alembic's default `alembic_version` otherwise. `known` is false when
   * env.py computes the name (a setting must then say it).
   */
  versionTable?: { name: string; schema?: string; known: boolean; envPath?: string };
  /** Problems with the configuration itself (reported on the config file). */
  findings: Finding[];
}
