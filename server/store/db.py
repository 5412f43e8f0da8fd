"""The database: one engine and session factory per app, and schema upgrades with Alembic.

SQLite (the default, a file in the instance folder) runs in WAL mode with a busy timeout and
foreign keys on; every transaction starts with BEGIN IMMEDIATE so two writers queue up instead
of failing when one upgrades a read lock. `DATABASE_URL` selects PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_EXTENSION = "linkinspector.store"
_STORE_LOCK = threading.Lock()


@dataclass(slots=True)
class Store:
    """What the app keeps per database: the engine and its session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    upgraded: bool = False


def database_url(app: Flask) -> str:
    """The configured URL, `postgres://` spellings mapped to psycopg 3; default a SQLite file."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(app.instance_path, "linkinspector.sqlite3")
    url = str(url)
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below); pysqlite's own transaction handling is off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads, then
        # writes, fails with SQLITE_BUSY when another process wrote in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_store_without_upgrade(app: Flask) -> Store:
    """The app's Store (engine + sessions), created on first use; schema untouched."""
    store: Store | None = app.extensions.get(_EXTENSION)
    if store is None:
        url = database_url(app)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        store = Store(url, engine, sessionmaker(bind=engine, expire_on_commit=False))
        app.extensions[_EXTENSION] = store
    return store


def get_store(app: Flask | None = None) -> Store:
    """The app's Store; on first use in this process the schema is upgraded to head
    (unless DATABASE_AUTO_UPGRADE is off), so a bare `gunicorn` start works too."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = get_store_without_upgrade(app)
    if not store.upgraded and app.config.get("DATABASE_AUTO_UPGRADE", True):
        with _STORE_LOCK:
            if not store.upgraded:
                upgrade_schema(app, store)
    return store


def get_session() -> Session:
    """The request's session, closed when the app context ends."""
    if "store_session" not in g:
        g.store_session = get_store().sessions()
    session: Session = g.store_session
    return session


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session of its own (for CLI threads): committed on success, rolled back on error."""
    session = get_store(app).sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("store_session", None)
    if session is not None:
        session.close()


def alembic_config(store: Store) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return config


@contextmanager
def _upgrade_lock(store: Store) -> Iterator[None]:
    """Serialise upgrades across processes (gunicorn workers starting together). PostgreSQL
    uses an advisory lock inside the migration (see env.py); SQLite a lock file beside the
    database file."""
    if not store.url.startswith("sqlite"):
        yield
        return
    path = store.engine.url.database
    if not path or path == ":memory:":
        yield
        return
    with open(path + ".migrate-lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade_schema(app: Flask, store: Store | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic), safe to run from several processes at once."""
    from alembic import command

    store = store or get_store_without_upgrade(app)
    os.makedirs(app.instance_path, exist_ok=True)
    with _upgrade_lock(store), store.engine.connect() as connection:
        config = alembic_config(store)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
    store.upgraded = revision == "head"


def current_revision(app: Flask) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_store_without_upgrade(app).engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def init_app(app: Flask) -> None:
    app.config.setdefault("DATABASE_URL", None)
    app.config.setdefault("DATABASE_AUTO_UPGRADE", True)
    app.teardown_appcontext(_close_session)
