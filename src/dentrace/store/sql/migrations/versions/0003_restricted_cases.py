"""Restricted cases: a ``restricted`` flag on cases (false for every existing case, so nothing
changes for them), named members per case, and the ``view_restricted_cases`` permission that
lets supervisors and admins see every restricted case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLES: dict[str, str] = {}
PERMISSIONS = {"supervisor": ["view_restricted_cases"], "admin": ["view_restricted_cases"]}

_permissions = sa.table("role_permissions", sa.column("role", sa.String),
                        sa.column("action", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("restricted", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "case_members",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("added_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_case_members_user_id", "case_members", ["user_id"])
    op.bulk_insert(_permissions, [{"role": r, "action": a}
                                  for r, actions in PERMISSIONS.items() for a in actions])


def downgrade() -> None:
    op.execute(_permissions.delete().where(_permissions.c.action == "view_restricted_cases"))
    op.drop_index("ix_case_members_user_id", table_name="case_members")
    op.drop_table("case_members")
    with op.batch_alter_table("cases") as cases:
        cases.drop_column("restricted")
