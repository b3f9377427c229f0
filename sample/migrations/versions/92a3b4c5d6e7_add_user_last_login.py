"""add last_login to users (feature branch, not merged yet)

Revision ID: 92a3b4c5d6e7
Revises: 708192a3b4c5
Create Date: 2024-04-16 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '92a3b4c5d6e7'
down_revision: Union[str, Sequence[str], None] = '708192a3b4c5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("last_login", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "last_login")
