"""Chromium with the unpacked extension, the real server on loopback, and local test pages.

An automated browser makes no user gesture, so `activeTab` is never granted: the extension
is loaded from a copy whose manifest adds `http://127.0.0.1/*` as a host permission,
standing in for the user's click. The shipped manifest stays activeTab-only.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Worker

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
PAGES = Path(__file__).resolve().parent / "pages"
ARTIFACTS = ROOT / "artifacts" / "browser"
API_TOKEN = "browser-test-token"
MY_SITES = ["my-site.example"]
COMPETITORS = ["rival.example", "absent-rival.example"]
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=DisableLoadExtensionCommandLineSwitch",
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class LoopbackServer:
    url: str
    stop: Any
    recorder: RequestRecorder | None = None


class RequestRecorder:
    """WSGI middleware that keeps the JSON bodies POSTed to the API: what the extension sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.bodies: list[tuple[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(raw)
            try:
                self.bodies.append((environ.get("PATH_INFO", ""), json.loads(raw)))
            except ValueError:
                self.bodies.append((environ.get("PATH_INFO", ""), None))
        return self.app(environ, start_response)

    def last(self, path: str) -> Any:
        """The last body POSTed to path."""
        return next(body for p, body in reversed(self.bodies) if p == path)


def serve_in_thread(server: Any) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


def many_links_page(count: int) -> str:
    """A page with `count` links of every kind, enough to fill the table in several tasks."""
    rels = ["", ' rel="nofollow"', ' rel="sponsored"', ' rel="ugc"', ""]
    links = "\n".join(
        f'<p>Item {i}: <a href="https://host{i % 37}.example/p/{i}"{rels[i % 5]}>anchor {i}</a>'
        f' <a href="/local/{i}">local {i}</a></p>'
        for i in range(count // 2)
    )
    return f"<!doctype html><title>Many links</title><body><main>{links}</main></body>"


def extension_copy_with_loopback_access(target: Path) -> Path:
    """A copy of extension/ whose manifest grants 127.0.0.1, as the user's click would, and
    localhost, as granting a frame's site does; 127.0.0.2 stays a site it may not read."""
    shutil.copytree(EXTENSION, target, ignore=shutil.ignore_patterns("*.test.js", "node_modules"))
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["host_permissions"] = ["http://127.0.0.1/*", "http://localhost/*"]
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return target


def launch_with_extension(playwright: Any, tmp: Path) -> BrowserContext:
    extension_dir = extension_copy_with_loopback_access(tmp / "extension")
    return playwright.chromium.launch_persistent_context(
        str(tmp / "profile"),
        executable_path="/usr/bin/chromium",
        headless=False,
        ignore_default_args=["--disable-extensions"],
        args=[
            *CHROMIUM_ARGS,
            f"--disable-extensions-except={extension_dir}",
            f"--load-extension={extension_dir}",
        ],
        viewport={"width": 1100, "height": 760},
    )


def service_worker(context: BrowserContext) -> Worker:
    workers = [w for w in context.service_workers if w.url.startswith("chrome-extension://")]
    return workers[0] if workers else context.wait_for_event("serviceworker", timeout=15_000)


@dataclass
class Browser:
    """The extension under test, and helpers to drive it."""

    context: BrowserContext
    worker: Worker
    extension_id: str

    def extension_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.goto(url)
        return page

    def tab_id(self, url: str) -> int:
        tab_id = self.worker.evaluate(
            "async (url) => (await chrome.tabs.query({})).find((t) => t.url === url)?.id ?? null",
            url,
        )
        assert isinstance(tab_id, int), f"no tab with url {url}"
        return tab_id

    def popup(
        self, page: Page, *, expect_table: bool = True, size: tuple[int, int] | None = None
    ) -> Page:
        """Open the popup page in a tab, analysing `page`'s tab; wait until it settles.
        size: the tab's viewport, e.g. (800, 600), a browser popup's largest."""
        popup = self.context.new_page()
        if size:
            popup.set_viewport_size({"width": size[0], "height": size[1]})
        popup.goto(self.extension_url(f"popup/popup.html?tabId={self.tab_id(page.url)}"))
        popup.wait_for_selector(
            "body[data-ready=true] #link-rows[data-complete=true], .state.error, .state.blocked",
            state="attached",
        )
        if expect_table and popup.get_attribute("body", "data-ready") != "true":
            raise AssertionError(f"the popup shows no table: {popup.inner_text('#status')!r}")
        if expect_table:
            # The table shows first; the second read (visibility, served HTML) follows at once.
            popup.wait_for_selector(
                "body[data-live=known], body[data-live=unknown]", state="attached"
            )
        return popup

    def options(self) -> Page:
        return self.open(self.extension_url("options/options.html"))


def save_options(
    browser: Browser, server_url: str, token: str, sites: list[str], competitors: list[str]
) -> Page:
    """Fill the options page the way a user does and press Save."""
    page = browser.options()
    page.fill("#server-url", server_url)
    page.fill("#api-token", token)
    page.fill("#sites", "\n".join(sites))
    page.fill("#competitors", "\n".join(competitors))
    page.click("#save")
    page.wait_for_selector("#save-result.ok")
    return page


# Every row of the windowed table, reached the way a user does: scrolling its one scroll
# container from the top to the bottom, a screenful at a time.
ALL_ROWS = """async () => {
  const scroller = document.getElementById("table-scroll");
  const frame = () =>
    new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const rows = new Map();
  scroller.scrollTop = 0;
  for (;;) {
    await frame();
    for (const tr of document.querySelectorAll("#link-rows tr[data-position]")) {
      const d = tr.dataset;
      rows.set(Number(d.position), { href: d.href ?? null, follow: d.follow ?? null,
        index: d.index ?? null, domain: d.domain ?? null, links: d.links ?? null });
    }
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) break;
    scroller.scrollTop += Math.max(24, scroller.clientHeight - 48);
  }
  scroller.scrollTop = 0;
  await frame();
  return [...rows.keys()].sort((a, b) => a - b).map((position) => rows.get(position));
}"""


def all_rows(popup: Page) -> list[dict[str, Any]]:
    """Every row of the table in order, as scrolling reaches them: {href, follow, index, ...}."""
    rows: list[dict[str, Any]] = popup.evaluate(ALL_ROWS)
    return rows


def table_rows(popup: Page) -> list[list[str]]:
    """Every link row as [href, follow], in the table's order."""
    return [[r["href"], r["follow"]] for r in all_rows(popup) if r["href"] is not None]


def wait_until(page: Page, expression: str, timeout_s: float = 10.0) -> None:
    """Poll `expression` in an extension page until it is true. Playwright's
    wait_for_function evaluates its predicate with eval() when it has to poll, which an
    extension page's CSP refuses; one evaluate() at a time is allowed."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.05)
