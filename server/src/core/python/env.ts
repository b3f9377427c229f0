/**
 * Reads an Alembic `env.py` statically for the version table settings that
 * `context.configure(..., version_table="...", version_table_schema="...")` passes.
 * Only literals count; anything computed is reported as unknown (a setting can override).
 */
import type { Node } from 'web-tree-sitter';
import { LineIndex } from '../text';
import type { Span } from '../types';
import { decodeStringLiteral } from './literals';
import { parseTree } from './parser';

export interface EnvSetting {
  /** The literal value, or undefined when it is computed. */
  value?: string;
  text: string;
  span: Span;
}

export interface EnvFacts {
  versionTable?: EnvSetting;
  versionTableSchema?: EnvSetting;
  /** Number of context.configure(...) calls found (online and offline modes usually). */
  configureCalls: number;
}

const KEYS: Record<string, 'versionTable' | 'versionTableSchema'> = {
  version_table: 'versionTable',
  version_table_schema: 'versionTableSchema',
};

export function readEnvPy(text: string): EnvFacts {
  const lines = new LineIndex(text);
  const out: EnvFacts = { configureCalls: 0 };
  parseTree(text, (root) => {
    const visit = (n: Node, depth: number): void => {
      if (depth > 200) return;
      if (n.type === 'call') {
        const fn = n.childForFieldName('function');
        if (fn && /(^|\.)configure$/.test(fn.text)) {
          out.configureCalls++;
          const args = n.childForFieldName('arguments');
          for (const a of args?.namedChildren ?? []) {
            if (a?.type !== 'keyword_argument') continue;
            const key = a.childForFieldName('name')?.text ?? '';
            const val = a.childForFieldName('value');
            const slot = KEYS[key];
            if (!slot || !val) continue;
            const value = val.type === 'string' && !val.namedChildren.some((c) => c?.type === 'interpolation') ? decodeStringLiteral(val.text) : undefined;
            // the first literal wins; later calls usually repeat it (online/offline)
            if (!out[slot] || (out[slot]!.value === undefined && value !== undefined)) {
              out[slot] = { value, text: val.text, span: lines.span(val.startIndex, val.endIndex) };
            }
          }
        }
      }
      for (const c of n.namedChildren) if (c) visit(c, depth + 1);
    };
    visit(root, 0);
  });
  return out;
}
