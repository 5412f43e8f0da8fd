"""The dashboard in a real headless Chromium against the real app on loopback: log in, see
the prospects the API saved, change a status inline, open a prospect, track a backlink to a
local page, check it now and read its history. Screenshots go to artifacts/dashboard/."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect
from werkzeug.serving import make_server

from server import create_app

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "dashboard"
TOKEN = "dashboard-browser-token"
HOSTILE = "&lt;img src=x onerror=alert(1)&gt;"  # the page's title, as its HTML spells it
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOG_HOME = """<title>Green Thumb Blog</title>
<a href="https://rival.example/guide">The best rose guide</a>
<a href="https://other.example/" rel="nofollow">other</a>
<a href="/write-for-us">Write for us</a>
<a href="/contact">Contact</a>
<a href="mailto:editor@greenthumb.example">Email the editor</a>
<a href="https://twitter.com/greenthumb">Twitter</a>"""
BLOG_POST = f"<title>{HOSTILE} Pruning roses</title><p>Pruning.</p>"
NEWS = """<title>Daily Garden News</title><a href="https://x.example/" rel="sponsored">ad</a>"""


@dataclass
class SourcePages:
    """Pages on 127.0.0.1 that the backlink check fetches; change `pages` between checks."""

    base: str = ""
    pages: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def source_pages() -> Iterator[SourcePages]:
    site = SourcePages()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            html = site.pages.get(self.path)
            body = (html or "<h1>Not found</h1>").encode()
            self.send_response(200 if html is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    """The real app (token set, private fetches allowed for the local source page)."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'li.sqlite3'}",
            "API_TOKEN": TOKEN,
            "ALLOW_PRIVATE_FETCH": True,
        }
    )
    app.instance_path = str(tmp_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["linkinspector.store"].engine.dispose()


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 820}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # CSP violations and failed loads (stylesheet, icon) are console errors.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert dialogs == [], f"page data ran as script: {dialogs}"
    # Expected: the wrong-token login (401) and the missing prospect (404) at the end.
    unexpected = [e for e in errors if "status of 401" not in e and "status of 404" not in e]
    assert unexpected == [], unexpected


def api(base: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_link_builder_works_through_the_dashboard(
    page: Page, dashboard_url: str, source_pages: SourcePages
) -> None:
    base = dashboard_url
    competitors = ["rival.example"]
    api(
        base,
        "/api/v1/prospects",
        {
            "url": "https://greenthumb.example/",
            "html": BLOG_HOME,
            "competitors": competitors,
            "tags": ["gardening"],
        },
    )
    api(
        base,
        "/api/v1/prospects",
        {
            "url": "https://greenthumb.example/2024/05/how-to-prune-climbing-roses-in-early-spring-a-complete-guide-for-beginners-and-experts",
            "html": BLOG_POST,
            "competitors": competitors,
        },
    )
    api(
        base,
        "/api/v1/prospects",
        {
            "url": "https://news.example/today",
            "html": NEWS,
            "competitors": competitors,
            "notes": "Big audience",
        },
    )

    # Logging in: the token is the password; then back to the page asked for.
    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login?next=/")
    shot(page, "01-login")
    page.get_by_label("API token").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-error")).to_contain_text("Wrong token")
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(base + "/")

    # Two prospects (two sites), the one linking to a competitor flagged as best.
    rows = page.locator("table.prospects tbody tr")
    expect(rows).to_have_count(2)
    blog = page.locator("tr", has=page.locator("a.domain", has_text="greenthumb.example"))
    expect(blog.locator(".verdict-best")).to_have_text("Best prospect")
    expect(page.locator(".best-hint")).to_contain_text("1 site links to your competitors")
    expect(page.get_by_text("<img src=x onerror=alert(1)>", exact=False)).to_have_count(1)

    # Inline status change.
    news = page.locator("tr", has=page.locator("a.domain", has_text="news.example"))
    news.get_by_label("Status of news.example").select_option("contacted")
    news.get_by_role("button", name="Set").click()
    expect(page.locator(".flash-ok")).to_have_text("news.example: status set to Contacted.")
    expect(news.get_by_label("Status of news.example")).to_have_value("contacted")
    news.locator("td.notes summary").click()
    news.get_by_label("Notes on news.example").fill("Editor: Sam <sam@news.example>")
    news.get_by_role("button", name="Save notes").click()
    expect(page.locator(".flash-ok")).to_have_text("news.example: notes saved.")
    expect(news.locator(".note-preview")).to_have_text("Editor: Sam <sam@news.example>")
    shot(page, "02-prospects")

    # Filters: links to a competitor.
    page.get_by_label("Links to competitor").select_option("true")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    csv_text = Path(download.value.path()).read_text()
    assert "greenthumb.example" in csv_text and "news.example" not in csv_text

    # A prospect's page: its pages, contact signals, outbound profile; edit notes and tags.
    page.get_by_role("link", name="greenthumb.example").click()
    expect(page.locator("h1")).to_have_text("greenthumb.example")
    expect(page.locator("table.pages tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name="editor@greenthumb.example")).to_be_visible()
    expect(page.get_by_text("Links to competitor rival.example (followed)")).to_be_visible()
    page.get_by_label("Notes").fill("Pitch: a spring pruning guide")
    page.get_by_label("Tags").fill("gardening, roses")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash-ok")).to_contain_text("saved")
    expect(page.get_by_label("Notes")).to_have_value("Pitch: a spring pruning guide")
    shot(page, "03-prospect")

    # Track a backlink to a local page, check it, lose the follow, check again.
    source = source_pages.base + "/guest-post"
    source_pages.pages["/guest-post"] = (
        '<p>Thanks to <a href="https://mysite.example/">My Site</a></p>'
    )
    page.get_by_role("link", name="Backlinks").click()
    page.get_by_label("Page that links to you").fill(source)
    page.get_by_label("Your site or URL prefix").fill("mysite.example")
    page.get_by_role("button", name="Track backlink").click()
    expect(page.locator(".flash-ok")).to_contain_text("Tracking the link")
    row = page.locator("table.backlinks tbody tr")
    expect(row.locator(".badge")).to_have_text("Not checked")
    row.get_by_role("button", name="Check now").click()
    expect(row.locator(".badge")).to_have_text("Live · followed")
    source_pages.pages["/guest-post"] = (
        '<p>Thanks to <a rel="nofollow" href="https://mysite.example/">My Site</a></p>'
    )
    row.get_by_role("button", name="Check now").click()
    # One check that looks worse changes nothing: it waits for a re-check.
    expect(page.locator(".flash-warn")).to_contain_text("to be confirmed by a re-check")
    expect(row.locator(".badge")).to_have_text("Live · followed")
    expect(row).to_contain_text("re-check at")
    row.get_by_role("button", name="Check now").click()
    expect(row.locator(".badge")).to_have_text("Live · nofollow")
    expect(row).to_contain_text("why: rel=nofollow")
    expect(row).to_contain_text("Live · followed → Live · nofollow")
    shot(page, "04-backlinks")

    row.get_by_role("link", name="History").click()
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("changed from Live · followed")
    expect(history.nth(1)).to_contain_text("confirmed by the next check")
    expect(history.first).to_contain_text("“My Site”")
    shot(page, "05-backlink-history")

    # A small laptop screen: no page scrolls sideways.
    page.set_viewport_size({"width": 1024, "height": 700})
    for path in ("/", "/backlinks", page.url.replace(base, "")):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024, path

    # Unknown pages are an HTML page, not JSON.
    page.goto(base + "/prospects/999")
    expect(page.locator("h1")).to_have_text("Not found")
