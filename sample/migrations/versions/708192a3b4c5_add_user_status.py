"""add status to users

Revision ID: 708192a3b4c5
Revises: 6f708192a3b4
Create Date: 2024-04-02 13:13:13.131313

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '708192a3b4c5'
down_revision: Union[str, Sequence[str], None] = '6f708192a3b4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("status", sa.String(20), server_default="active"))


def downgrade() -> None:
    op.drop_column("users", "status")
