"""create audit log

Revision ID: 8192a3b4c5d6
Revises: 708192a3b4c5
Create Date: 2024-04-15 17:45:00.000001

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '8192a3b4c5d6'
down_revision: Union[str, Sequence[str], None] = '708192a3b4c5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
