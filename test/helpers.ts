/** Test helpers: temporary trees and migration-file builders. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made: string[] = [];

export function tmpDir(prefix = 'alembic-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupTmp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function writeTree(root: string, files: Record<string, string | Uint8Array>): string {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return root;
}

export interface Rev {
  id: string;
  /** undefined -> None; string -> one parent; array -> tuple. */
  down?: string | string[] | null;
  deps?: string | string[];
  labels?: string | string[];
  message?: string;
  /** Override the whole file text. */
  text?: string;
  /** File name (default NNNN_<id>.py). */
  file?: string;
}

function py(v: string | string[] | null | undefined): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  return `(${v.map((x) => JSON.stringify(x)).join(', ')}${v.length === 1 ? ',' : ''})`;
}

/** A migration file as `alembic revision` writes it (typed header, docstring, op calls). */
export function migration(r: Rev): string {
  if (r.text !== undefined) return r.text;
  const downs = r.down === undefined || r.down === null ? '' : typeof r.down === 'string' ? r.down : r.down.join(', ');
  return `"""${r.message ?? `revision ${r.id}`}

Revision ID: ${r.id}
Revises: ${downs}
Create Date: 2024-05-01 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = ${JSON.stringify(r.id)}
down_revision: Union[str, Sequence[str], None] = ${py(r.down)}
branch_labels: Union[str, Sequence[str], None] = ${py(r.labels)}
depends_on: Union[str, Sequence[str], None] = ${py(r.deps)}


def upgrade() -> None:
    op.create_table("t_${r.id.replace(/\W/g, '_')}", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("t_${r.id.replace(/\W/g, '_')}")
`;
}

/** A project: alembic.ini + migrations/{env.py,versions/*.py}. Returns the file map. */
export function project(revs: Rev[], ini = '[alembic]\nscript_location = %(here)s/migrations\n'): Record<string, string> {
  const files: Record<string, string> = { 'alembic.ini': ini, 'migrations/env.py': '# env\n', 'migrations/script.py.mako': '', 'migrations/versions/README': 'keeps the folder\n' };
  revs.forEach((r, i) => {
    files[`migrations/versions/${r.file ?? `${String(i).padStart(4, '0')}_${r.id.replace(/[^\w.]/g, '_')}.py`}`] = migration(r);
  });
  return files;
}

/** Seeded PRNG (mulberry32) so random histories are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random valid history: several bases, branches, merges, branch labels and depends_on.
 * Valid means Alembic loads it (no missing parents, no cycles, no label clashes).
 */
export function randomHistory(seed: number, size: number): Rev[] {
  const r = rng(seed);
  const revs: Rev[] = [];
  const heads: string[] = [];
  const hex = (): string => Array.from({ length: 12 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  let labelN = 0;
  for (let i = 0; i < size; i++) {
    const id = hex();
    const x = r();
    let down: string | string[] | null;
    if (!revs.length || x < 0.03) down = null; // new base
    else if (x < 0.12 && heads.length >= 2) {
      // merge two heads
      const a = heads.splice(Math.floor(r() * heads.length), 1)[0];
      const b = heads.splice(Math.floor(r() * heads.length), 1)[0];
      down = [a, b];
    } else if (x < 0.22) {
      down = revs[Math.floor(r() * revs.length)].id; // branch from anywhere
    } else {
      const h = heads.length ? heads[Math.floor(r() * heads.length)] : revs[revs.length - 1].id;
      down = h;
    }
    for (const d of down === null ? [] : typeof down === 'string' ? [down] : down) {
      const k = heads.indexOf(d);
      if (k >= 0) heads.splice(k, 1);
    }
    const rev: Rev = { id, down, message: `step ${i}` };
    if (r() < 0.05) rev.labels = `lbl${labelN++}`;
    if (r() < 0.06 && revs.length > 3) {
      const target = revs[Math.floor(r() * revs.length)];
      const lbl = typeof target.labels === 'string' ? target.labels : undefined;
      rev.deps = lbl && r() < 0.5 ? lbl : target.id;
    }
    revs.push(rev);
    heads.push(id);
  }
  // Files are shuffled on disk: the load order is the file-name order, not creation order.
  return revs.map((v, i) => ({ ...v, file: `${hex()}_${i}.py` }));
}
