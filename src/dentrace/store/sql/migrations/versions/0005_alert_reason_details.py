"""Structured alert reasons: ``alerts.reason_details``, the JSON of the alert record's reasons
(dentrace.contract.alert: code, sentence, values, counterparties, transaction ids, contribution
to the score). NULL for the alerts imported before: they are read from their codes and
explanation as before.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as alerts:
        alerts.add_column(sa.Column("reason_details", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as alerts:
        alerts.drop_column("reason_details")
