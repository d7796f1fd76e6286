"""Alembic environment of the cases database: runs on the connection ``open_store`` passes in.

dentrace runs migrations programmatically only; there is no alembic.ini to edit.
"""

from __future__ import annotations

from alembic import context

from dentrace.store.sql.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through dentrace.store.sql.migrate(engine)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
