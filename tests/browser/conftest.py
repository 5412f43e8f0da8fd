"""Fixtures for the extension's browser tests; the helpers live in harness.py."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Playwright
from werkzeug.serving import make_server

from server import create_app
from tests.browser.harness import (
    API_TOKEN,
    ARTIFACTS,
    COMPETITORS,
    MY_SITES,
    PAGES,
    Browser,
    LoopbackServer,
    QuietHandler,
    RequestRecorder,
    launch_with_extension,
    many_links_page,
    save_options,
    serve_in_thread,
    service_worker,
)


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackServer]:
    """The real Flask app, with an API token, on 127.0.0.1 and a free port."""
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "API_TOKEN": API_TOKEN,
            "DATABASE_URL": f"sqlite:///{instance / 'linkinspector.sqlite3'}",
            # "Track this backlink" checks the test pages, and robots.txt (pages/robots.txt)
            # is fetched for them: both on loopback.
            "ALLOW_PRIVATE_FETCH": True,
            "ROBOTS_TXT": True,
        }
    )
    app.wsgi_app = RequestRecorder(app.wsgi_app)  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serve_in_thread(server)
    yield LoopbackServer(f"http://127.0.0.1:{server.server_port}", server.shutdown, app.wsgi_app)
    server.shutdown()


@pytest.fixture(scope="session")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackServer]:
    """Static test pages on 127.0.0.1 (not the API's port: a site of its own)."""
    root = tmp_path_factory.mktemp("pages") / "pages"
    shutil.copytree(PAGES, root)
    (root / "many-links.html").write_text(many_links_page(1000), encoding="utf-8")
    (root / "dense.html").write_text(many_links_page(5000), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    yield LoopbackServer(f"http://127.0.0.1:{server.server_port}", server.shutdown)
    server.shutdown()


@pytest.fixture(scope="session")
def unread_server() -> Iterator[LoopbackServer]:
    """The same pages on 127.0.0.2: a site the extension has no access to (a second origin)."""
    handler = functools.partial(QuietHandler, directory=str(PAGES))
    server = ThreadingHTTPServer(("127.0.0.2", 0), handler)
    serve_in_thread(server)
    yield LoopbackServer(f"http://127.0.0.2:{server.server_port}", server.shutdown)
    server.shutdown()


@pytest.fixture(scope="session")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    context = launch_with_extension(playwright, tmp_path_factory.mktemp("chromium"))
    try:
        worker = service_worker(context)
        yield Browser(context, worker, worker.url.split("/")[2])
    finally:
        context.close()


@pytest.fixture(scope="session")
def configured(browser: Browser, api_server: LoopbackServer) -> Browser:
    """The extension pointed at the test server, with my sites and competitors set."""
    save_options(browser, api_server.url, API_TOKEN, MY_SITES, COMPETITORS).close()
    return browser


@pytest.fixture
def ext(configured: Browser, api_server: LoopbackServer) -> Iterator[Browser]:
    """The configured extension; closes the tabs a test opened."""
    yield configured
    for page in configured.context.pages[1:]:
        page.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
