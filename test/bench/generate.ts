/**
 * Benchmark workloads: realistic migration files (~700 bytes: docstring, typed header,
 * op.create_table / op.add_column bodies) in seeded, deterministic histories:
 * - linear: one chain;
 * - branchy: a side branch of 2-6 revisions every ~50 revisions, merged back, some with
 *   branch labels, some depends_on;
 * - broken: branchy plus a few missing parents and two heads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rng } from '../helpers';

export type Shape = 'linear' | 'branchy' | 'broken';

export interface R { id: string; down: string[]; labels?: string; deps?: string; n: number }

export function file(r: R, rand: () => number): string {
  const table = `table_${r.n % 97}`;
  const down = r.down.length === 0 ? 'None' : r.down.length === 1 ? `"${r.down[0]}"` : `(${r.down.map((d) => `"${d}"`).join(', ')})`;
  const body = rand() < 0.5
    ? `    op.create_table(\n        "${table}_${r.n}",\n        sa.Column("id", sa.Integer(), primary_key=True),\n        sa.Column("name", sa.String(length=120), nullable=False),\n    )`
    : `    op.add_column("${table}", sa.Column("col_${r.n}", sa.Integer(), nullable=True))`;
  const undo = body.includes('create_table') ? `    op.drop_table("${table}_${r.n}")` : `    op.drop_column("${table}", "col_${r.n}")`;
  return `"""step ${r.n}: change ${table}

Revision ID: ${r.id}
Revises: ${r.down.join(', ')}
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "${r.id}"
down_revision: Union[str, Sequence[str], None] = ${down}
branch_labels: Union[str, Sequence[str], None] = ${r.labels ? `("${r.labels}",)` : 'None'}
depends_on: Union[str, Sequence[str], None] = ${r.deps ? `"${r.deps}"` : 'None'}


def upgrade() -> None:
${body}


def downgrade() -> None:
${undo}
`;
}

export function history(n: number, shape: Shape, seed = 1): R[] {
  const rand = rng(seed);
  const hex = (): string => Array.from({ length: 12 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const out: R[] = [];
  let head: string | undefined;
  let k = 0;
  while (out.length < n) {
    const id = hex();
    out.push({ id, down: head ? [head] : [], n: k++ });
    head = id;
    if (shape !== 'linear' && out.length % 50 === 0 && out.length + 8 < n) {
      // a side branch from the current head, merged back after the main line moves on
      const fork = head;
      let side = fork;
      const len = 2 + Math.floor(rand() * 5);
      const label = rand() < 0.3 ? `feature_${out.length}` : undefined;
      for (let i = 0; i < len; i++) {
        const sid = hex();
        out.push({ id: sid, down: [side], n: k++, labels: i === 0 ? label : undefined, deps: rand() < 0.1 ? out[Math.floor(rand() * out.length / 2)].id : undefined });
        side = sid;
      }
      const main = hex();
      out.push({ id: main, down: [fork], n: k++ });
      const merge = hex();
      out.push({ id: merge, down: [main, side], n: k++ });
      head = merge;
    }
  }
  out.length = n;
  if (shape === 'broken') {
    // two heads and a few missing parents (a deleted file, a bad rebase)
    const r = out[Math.floor(n * 0.6)];
    out.push({ id: hex(), down: [r.id], n: k++ });
    for (let i = 1; i <= 3; i++) out[Math.floor((n * i) / 4)].down = [hex()];
  }
  return out;
}

/** Writes a project (alembic.ini + migrations/) with the history; returns the folder. */
export function writeWorkload(dir: string, n: number, shape: Shape, seed = 1): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const versions = path.join(dir, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///bench.db\n');
  fs.writeFileSync(path.join(dir, 'migrations', 'env.py'), '# benchmark\n');
  const rand = rng(seed + 1000);
  for (const r of history(n, shape, seed)) {
    fs.writeFileSync(path.join(versions, `${r.id}_step_${r.n}.py`), file(r, rand));
  }
  return dir;
}
