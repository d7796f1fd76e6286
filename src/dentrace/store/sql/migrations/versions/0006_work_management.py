"""Work management and dismissal controls (issue 19): assignees and due dates on alerts, due
dates on cases, saved queue views per user, case attachments, dismissal reason codes with a
second review, and the ``review_dismissal`` permission (supervisors, admins).

Every new column is nullable (or has a server default), so existing alerts and cases keep their
meaning: no assignee, a due date derived from the SLA, no dismissal code.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLES: dict[str, str] = {}
PERMISSIONS = {"supervisor": ["review_dismissal"], "admin": ["review_dismissal"]}

_permissions = sa.table("role_permissions", sa.column("role", sa.String),
                        sa.column("action", sa.String))


def _user(name: str) -> sa.Column[int]:
    # named: SQLite's batch mode rebuilds the table and cannot add an unnamed constraint
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", name=f"fk_alerts_{name}"),
                     nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("alerts") as alerts:
        alerts.add_column(_user("assignee_id"))
        alerts.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        alerts.add_column(sa.Column("dismissal_code", sa.String(32), nullable=True))
        alerts.add_column(_user("review_requested_by"))
        alerts.add_column(sa.Column("review_requested_at", sa.DateTime(), nullable=True))
        alerts.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
    op.create_index("ix_alerts_assignee_id", "alerts", ["assignee_id"])
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
    )
    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_case_attachments_case_id", "case_attachments", ["case_id"])
    op.bulk_insert(_permissions, [{"role": r, "action": a}
                                  for r, actions in PERMISSIONS.items() for a in actions])


def downgrade() -> None:
    op.execute(_permissions.delete().where(_permissions.c.action == "review_dismissal"))
    op.drop_index("ix_case_attachments_case_id", table_name="case_attachments")
    op.drop_table("case_attachments")
    op.drop_table("saved_views")
    with op.batch_alter_table("cases") as cases:
        cases.drop_column("due_at")
    op.drop_index("ix_alerts_assignee_id", table_name="alerts")
    with op.batch_alter_table("alerts") as alerts:
        for column in ("review_reason", "review_requested_at", "review_requested_by",
                       "dismissal_code", "due_at", "assignee_id"):
            alerts.drop_column(column)
