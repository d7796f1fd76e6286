"""Open the cases database of a workspace (SQLite) or of a team (PostgreSQL), migrated to head.

One ``Store`` serves both back ends; services use ``store.session()`` as their unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from dentrace.errors import WorkspaceError
from dentrace.store.workspace import Workspace

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_BEGIN = "dentrace_sqlite_begin"


class Store:
    """The cases database: an engine plus a session factory, one interface for both back ends."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises.

        On SQLite a writing unit of work takes the write lock when it starts (BEGIN IMMEDIATE),
        so a check-then-update cannot interleave with another writer; ``write=False`` reads a
        snapshot without blocking writers. PostgreSQL uses row locks instead.
        """
        session = self._sessions()
        try:
            if write and self.dialect == "sqlite":
                session.connection(execution_options={_BEGIN: "BEGIN IMMEDIATE"})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def database_url_for(
    workspace: str | Path | None, database_url: str | None, *, must_exist: bool = False
) -> str:
    """The URL to open: ``database_url`` if given, else SQLite at ``Workspace.cases_db``.

    ``must_exist`` refuses a workspace without a cases database (for read-only commands).
    """
    if database_url:
        return database_url
    if workspace is None:
        raise WorkspaceError("give a workspace directory or a --database-url")
    folder = Path(workspace)
    if not folder.is_dir():
        raise WorkspaceError(f"{folder}: workspace directory does not exist")
    database = Workspace(folder).cases_db
    if must_exist and not database.is_file():
        raise WorkspaceError(f"{database}: no cases database in this workspace")
    # rendered, not pasted: a folder named with '?', '#' or '%' would be read as a URL's parts
    return URL.create("sqlite", database=str(database.resolve())).render_as_string()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, start transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN, "BEGIN"))


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest Alembic revision shipped with dentrace."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Two processes opening a fresh team database at once must not both create tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(
    workspace: str | Path | None = None,
    database_url: str | None = None,
    *,
    upgrade: bool = True,
    must_exist: bool = False,
) -> Store:
    """Open (and by default migrate to head) the cases database of ``workspace`` or at a URL."""
    url = database_url_for(workspace, database_url, must_exist=must_exist)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    if upgrade:
        migrate(engine)
    return Store(engine)
