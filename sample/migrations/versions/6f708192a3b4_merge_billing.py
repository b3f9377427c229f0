"""merge billing into main

Revision ID: 6f708192a3b4
Revises: 4d5e6f708192, 5e6f708192a3
Create Date: 2024-03-25 08:20:11.318877

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '6f708192a3b4'
down_revision: Union[str, Sequence[str], None] = ('4d5e6f708192', '5e6f708192a3')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
