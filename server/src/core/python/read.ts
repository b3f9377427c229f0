/** Reading a migration file: the fast scanner where it can, tree-sitter otherwise. */
import type { MigrationFacts } from './facts';
import { parseMigration } from './parser';
import { scanMigration } from './scan';

/**
 * Reads a migration file. 'fast' tries the scanner first (same facts, no full syntax check)
 * and falls back to tree-sitter; 'full' always uses tree-sitter.
 */
export function readMigration(text: string, mode: 'fast' | 'full'): MigrationFacts {
  if (mode === 'fast') {
    const facts = scanMigration(text);
    if (facts) return facts;
  }
  return parseMigration(text);
}

