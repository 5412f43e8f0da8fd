"""The popup's Check links and Qualify as prospects, in a real Chromium, against the real
server and a real worker process, on a simulated web of loopback hosts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from werkzeug.serving import make_server

from server import create_app
from tests.browser.harness import (
    API_TOKEN,
    COMPETITORS,
    MY_SITES,
    ROOT,
    Browser,
    LoopbackServer,
    save_options,
    serve_in_thread,
)
from tests.simulated_web import SimulatedWeb


@pytest.fixture(scope="module")
def web() -> Iterator[SimulatedWeb]:
    # The first host is 127.0.0.1: the page the popup reads must be there (the test copy of
    # the extension may read 127.0.0.1 only); its links go to the other hosts.
    with SimulatedWeb(3, delay=0.05, first=1) as simulated:
        yield simulated


@pytest.fixture(scope="module")
def job_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackServer]:
    """The server with a worker process of its own, allowed to fetch loopback addresses."""
    folder = tmp_path_factory.mktemp("jobs")
    config = {
        "API_TOKEN": API_TOKEN,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}",
        "ALLOW_PRIVATE_FETCH": "true",
    }
    app = create_app({"TESTING": True, **config, "ALLOW_PRIVATE_FETCH": True})
    app.instance_path = str(folder)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serve_in_thread(server)
    env = dict(os.environ, **{f"LINKINSPECTOR_{k}": v for k, v in config.items()})
    with open(folder / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "server", "worker", "--threads", "2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield LoopbackServer(f"http://127.0.0.1:{server.server_port}", server.shutdown)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        server.shutdown()


@pytest.fixture
def pointed(
    configured: Browser, job_server: LoopbackServer, api_server: LoopbackServer
) -> Iterator[Browser]:
    """The extension pointed at the job server; pointed back at the shared one afterwards."""
    save_options(configured, job_server.url, API_TOKEN, MY_SITES, COMPETITORS).close()
    yield configured
    for page in configured.context.pages[1:]:
        page.close()
    save_options(configured, api_server.url, API_TOKEN, MY_SITES, COMPETITORS).close()


def links_page(web: SimulatedWeb) -> str:
    a, b = web.hosts[1], web.hosts[2]
    links = [
        a.url("/ok/fine"),
        a.url("/missing/old-guide"),
        a.url("/moved/tools"),
        b.url("/gone/2019-list"),
        b.url("/ok/other#section"),
        "mailto:editor@blog.example",
    ]
    anchors = "".join(f'<li><a href="{u}">link {i}</a></li>' for i, u in enumerate(links))
    return web.hosts[0].page("/html/resources", f"<title>Resources</title><ul>{anchors}</ul>")


def row(popup: Page, ending: str) -> tuple[str | None, str]:
    selector = f'#link-rows tr[data-href$="{ending}"]'
    check = popup.get_attribute(selector, "data-check")
    return check, popup.inner_text(f"{selector} .check-badge")


def test_check_links_marks_each_row_and_filters_the_broken_ones(
    pointed: Browser, web: SimulatedWeb, artifacts: Path
) -> None:
    page = pointed.open(links_page(web))
    popup = pointed.popup(page)
    popup.click("#check-links")
    popup.wait_for_selector('#job-progress[data-status="done"]', timeout=30_000)
    assert popup.inner_text("#job-progress") == (
        "Checked 5 links · 2 broken · broken-link opportunity"
    )
    assert row(popup, "/ok/fine") == ("ok", "OK 200")
    assert row(popup, "/missing/old-guide") == ("broken", "Broken 404")
    assert row(popup, "/moved/tools") == ("redirect", "Redirect 200")
    assert row(popup, "/gone/2019-list") == ("broken", "Broken 410")
    assert row(popup, "/ok/other#section") == ("ok", "OK 200")
    popup.check("#broken-only")
    visible = popup.eval_on_selector_all(
        "#link-rows tr[data-href]",
        "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.href)",
    )
    assert [href.rsplit("/", 2)[-2] for href in visible] == ["missing", "gone"]
    popup.screenshot(path=str(artifacts / "popup-link-checks.png"), full_page=True)
    # Sorting redraws the rows: they come back marked.
    popup.click('th[data-sort="destination"]')
    assert row(popup, "/missing/old-guide") == ("broken", "Broken 404")

    # The export carries each link's check; "Highlight on page" marks the broken links.
    popup.uncheck("#broken-only")
    with popup.expect_download() as download:
        popup.click("#export-csv")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[-3:] == ["check_result", "check_http_status", "check_final_url"]
    checked = {line.split(",")[3]: line.split(",")[-3:-1] for line in lines[1:]}
    assert checked[web.hosts[1].url("/missing/old-guide")] == ["broken", "404"]
    assert checked["mailto:editor@blog.example"] == ["", ""]
    popup.check("#highlight-toggle")
    outlines = page.eval_on_selector_all(
        "a[href]", "links => Object.fromEntries(links.map(a => [a.href, a.style.outline]))"
    )
    assert "ridge" in outlines[web.hosts[1].url("/missing/old-guide")]
    assert "ridge" not in outlines[web.hosts[1].url("/ok/fine")]
    popup.uncheck("#highlight-toggle")


def test_qualify_as_prospects_sends_the_links_in_the_filter(
    pointed: Browser, web: SimulatedWeb
) -> None:
    page = pointed.open(links_page(web))
    popup = pointed.popup(page)
    popup.click("#qualify-prospects")
    popup.wait_for_selector('#job-progress[data-status="done"]', timeout=30_000)
    text = popup.inner_text("#job-progress")
    assert text == "Qualified 5 pages · 3 saved as prospects, 2 could not be fetched"
