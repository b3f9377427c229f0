/** Public surface of the core (pure: no VS Code or LSP imports anywhere under core/). */
export * from './types';
export * from './config/setup';
export { discoverSetups, isBroken, setupFilesIn } from './config/discover';
export type { DiscoverOptions } from './config/discover';
export * from './graph/graph';
export * from './graph/walk';
export * from './project';
export { CODES } from './diagnostics/diagnostics';
export { initPythonParser, parseMigration } from './python/parser';
export type { MigrationFacts, HeaderValue } from './python/facts';
export { readMigration } from './python/read';
export { nodeFs } from './nodeFs';
export { redactUrl } from './redact';
