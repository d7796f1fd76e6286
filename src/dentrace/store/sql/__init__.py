"""The cases database: users, roles, alerts, cases and the audit log, on SQLite or PostgreSQL.

``open_store(workspace, database_url)`` returns a migrated ``Store``; the tables are in ``models``.
"""

from dentrace.store.sql.engine import Store, database_url_for, migrate, open_store

__all__ = ["Store", "database_url_for", "migrate", "open_store"]
