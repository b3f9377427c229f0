/**
 * New migration files in the layout `alembic revision` / `alembic merge` write (the default
 * script.py.mako), for quick fixes that must work before the runner exists.
 */
import * as path from 'path';

export interface MergeFileInput {
  /** Folder to write into (the setup's first version location). */
  folder: string;
  /** New revision id (Alembic: uuid4().hex[-12:]). */
  id: string;
  heads: string[];
  message: string;
  /** `Create Date:` text, e.g. 2024-05-01 12:00:00.000000. */
  date: string;
}

/** Alembic's default file name: `<id>_<slug of the message>.py`. */
export function revisionFileName(id: string, message: string): string {
  const slug = message.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  return `${id}_${slug || 'merge'}.py`;
}

export function mergeRevisionFile(m: MergeFileInput): { path: string; text: string } {
  const heads = m.heads.map((h) => `'${h}'`).join(', ');
  const text = `"""${m.message}

Revision ID: ${m.id}
Revises: ${m.heads.join(', ')}
Create Date: ${m.date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '${m.id}'
down_revision: Union[str, Sequence[str], None] = (${heads})
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
`;
  return { path: path.join(m.folder, revisionFileName(m.id, m.message)), text };
}
