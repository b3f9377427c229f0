"""create invoices table (billing branch)

Revision ID: 5e6f708192a3
Revises: 3c4d5e6f7081
Create Date: 2024-03-19 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5e6f708192a3'
down_revision: Union[str, Sequence[str], None] = '3c4d5e6f7081'
branch_labels: Union[str, Sequence[str], None] = ('billing',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id")),
    )


def downgrade() -> None:
    op.drop_table("invoices")
