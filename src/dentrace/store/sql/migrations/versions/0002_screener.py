"""A ``screen`` action and a ``screener`` role: the payment system's service account screens
payments in real time and may do nothing else (least privilege); supervisors and admins may
screen too.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLES = {"screener": "a payment system's service account: screens payments in real time, "
                     "nothing else"}
PERMISSIONS = {"screener": ["screen"], "supervisor": ["screen"], "admin": ["screen"]}

_roles = sa.table("roles", sa.column("name", sa.String), sa.column("description", sa.Text))
_permissions = sa.table("role_permissions", sa.column("role", sa.String),
                        sa.column("action", sa.String))


def upgrade() -> None:
    op.bulk_insert(_roles, [{"name": k, "description": v} for k, v in ROLES.items()])
    op.bulk_insert(_permissions, [{"role": r, "action": a}
                                  for r, actions in PERMISSIONS.items() for a in actions])


def downgrade() -> None:
    op.execute(_permissions.delete().where(_permissions.c.action == "screen"))
    op.execute(_roles.delete().where(_roles.c.name.in_(list(ROLES))))
