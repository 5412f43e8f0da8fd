from __future__ import annotations

import http.server
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from playwright.sync_api import Playwright, sync_playwright
from sqlalchemy import create_engine, text

from server import config, create_app
from server.robotstxt import cache as robots_cache

# Tests send traffic to loopback only. Test payloads name made-up sites (blog.test,
# mysite.com...) whose robots.txt the server would look up in DNS: off by default, in this
# process (apps built from test configs) and in the servers it starts; the robots.txt tests
# turn it on, against loopback.
config.DEFAULTS["ROBOTS_TXT"] = False
os.environ["LINKINSPECTOR_ROBOTS_TXT"] = "false"

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def fresh_robots_txt_cache() -> None:
    """Each test starts with an empty robots.txt cache. The server keeps one per process,
    keyed by origin, and a loopback test server often gets a port an earlier test's server
    had: its cached robots.txt (say, a 404) would answer for the new one."""
    robots_cache._shared = None


# Set (e.g. by scripts/test after scripts/start-postgres) to run every store test on
# PostgreSQL as well as SQLite. Each test gets a database of its own, dropped afterwards.
POSTGRES_URL = os.environ.get("LINKINSPECTOR_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One database on the test server for the session (a fresh name, dropped at the end)."""
    assert POSTGRES_URL is not None
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"li_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(url: str) -> None:
    """Delete every row (the schema stays, so the next test's upgrade is a no-op)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = connection.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
        ).all()
        if tables:
            names = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "databases: run each test on every test database (SQLite, PostgreSQL)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Store tests (marked `databases`) run once per database; others on SQLite only."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "databases"
    ):
        metafunc.parametrize("database_url", DATABASES, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for one test: a SQLite file, or the session's PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'linkinspector.sqlite3'}"
        return
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    yield url
    empty_postgres(url)


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


@dataclass(slots=True)
class PageServer:
    """Pages served on 127.0.0.1 for the backlink checker; change `pages` between checks."""

    base: str
    pages: dict[str, tuple[int, list[tuple[str, str]], str]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    delay: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def page(
        self, path: str, html: str, status: int = 200, headers: list[tuple[str, str]] | None = None
    ) -> str:
        self.pages[path] = (status, headers or [], html)
        return self.url(path)


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    site = PageServer(base="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with site.lock:
                site.hits.append(self.path)
                site.in_flight += 1
                site.most_in_flight = max(site.most_in_flight, site.in_flight)
            time.sleep(site.delay)
            with site.lock:
                site.in_flight -= 1
            status, headers, html = site.pages.get(self.path, (404, [], "<h1>Not found</h1>"))
            body = html.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the whole run: its sync API refuses a second one while one
    is open, and browser fixtures of several modules live at once."""
    with sync_playwright() as driver:
        yield driver
