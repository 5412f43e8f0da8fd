from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from server import create_app

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# Set (e.g. by scripts/test after scripts/start-postgres) to run every store test on
# PostgreSQL as well as SQLite. Each test gets a database of its own, dropped afterwards.
POSTGRES_URL = os.environ.get("LINKINSPECTOR_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _postgres_database(base_url: str) -> tuple[str, str]:
    """A fresh database on the test server: (its URL, its name)."""
    name = f"li_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name, name


def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL of its own for one test: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'linkinspector.sqlite3'}"
        return
    assert POSTGRES_URL is not None
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    url, name = _postgres_database(base)
    yield url
    _drop_postgres_database(base, name)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    app.instance_path = str(tmp_path)
    yield app
    store = app.extensions.get("linkinspector.store")
    if store is not None:
        store.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
