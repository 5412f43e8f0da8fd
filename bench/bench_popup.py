"""Click-to-table time of the popup on a 1 MB page served from loopback (target: 300 ms).

Runs Chromium with the unpacked extension (the test copy with loopback access), the real
server (gunicorn with gunicorn.conf.py) and a page server, then opens the popup with
?tabId=N, as the toolbar click does, and reads how long after the popup's navigation started
its table rows were in the DOM.
The baseline, measured in the same run, is the same popup on a 2 KB page.

    .venv/bin/python bench/bench_popup.py [--runs 7] [--settle 1]

Popups open back to back by default; the previous popup's teardown (thousands of rows) then
still runs while the next one starts, which a user, who opens the popup seconds apart, never
sees. --settle S waits S seconds between runs. A second table breaks the time down with the
popup's finer marks: its first script ran (start), reading the page was asked (read), its
modules had loaded (modules), the request left (sent).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from load import free_port, start_gunicorn  # noqa: E402  (bench/load.py, beside this file)
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.harness import launch_with_extension, service_worker  # noqa: E402

TARGET_MS = 300.0
MARKS = ("page-collected", "analysis-received", "table-rendered", "table-painted")
FINE_MARKS = ("popup-started", "page-requested", "modules-loaded", "request-sent", "served-arrived")
WORDS = [
    "link",
    "building",
    "guest",
    "post",
    "anchor",
    "text",
    "outreach",
    "garden",
    "trowel",
    "review",
    "tools",
]
RELS = ["", "", "", ' rel="nofollow"', ' rel="sponsored"', ' rel="ugc"', ' rel="noopener"']


def article_page(size: int, link_every: int, seed: int = 1) -> bytes:
    """A blog-like page of about `size` bytes with one link per `link_every` bytes."""
    rng = random.Random(seed)
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8><title>Bench</title></head>"]
    parts.append('<body><nav><a href="/">Home</a><a href="/blog/">Blog</a></nav><main>')
    total = sum(len(p) for p in parts)
    n = 0
    while total < size - 200:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
        filler = " ".join(rng.choice(WORDS) for _ in range(max(0, link_every - 200) // 7))
        host = f"site{rng.randint(1, 400)}.example" if rng.random() < 0.7 else "127.0.0.1"
        href = f"https://{host}/post/{n}" if host != "127.0.0.1" else f"/internal/{n}"
        link = f'<a href="{href}"{rng.choice(RELS)}>{words[:30]}</a>'
        chunk = f'<p class="post-body">{words} {link}. {filler}</p>\n'
        parts.append(chunk)
        total += len(chunk)
        n += 1
    parts.append("</main><footer><a href=/privacy>Privacy</a></footer></body></html>")
    return "".join(parts).encode()


class Pages(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(server: object) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--settle", type=float, default=0.0, help="seconds between runs")
    parser.add_argument(
        "--pages", default="small,typical,dense", help="which pages, comma-separated (small first)"
    )
    args = parser.parse_args()

    load_before = os.getloadavg()
    Pages.pages = {
        "/small.html": article_page(2_000, 200),
        "/typical.html": article_page(1_000_000, 700),
        "/dense.html": article_page(1_000_000, 230),
    }
    pages = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    serve(pages)
    with tempfile.TemporaryDirectory() as tmp:
        # The server as README's serve command runs it: gunicorn with gunicorn.conf.py, in its
        # own processes (in this process it would share the GIL with Playwright's driver).
        os.environ["LINKINSPECTOR_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        api_port = free_port()
        api = start_gunicorn("server:create_app()", api_port, None, [])
        api_url = f"http://127.0.0.1:{api_port}"
        page_url = f"http://127.0.0.1:{pages.server_port}"

        try:
            with sync_playwright() as playwright:
                context = launch_with_extension(playwright, Path(tmp))
                worker = service_worker(context)
                ext_id = worker.url.split("/")[2]
                worker.evaluate(
                    "(url) => chrome.storage.sync.set({serverUrl: url, sites: ['site1.example'],"
                    " competitors: ['site2.example']})",
                    api_url,
                )
                results: dict[str, dict[str, float]] = {}
                for name in args.pages.split(","):
                    tab = context.new_page()
                    tab.goto(f"{page_url}/{name}.html")
                    tab_id = worker.evaluate(
                        "async (u) => (await chrome.tabs.query({})).find((t) => t.url === u).id",
                        tab.url,
                    )
                    html = tab.evaluate("document.documentElement.outerHTML")
                    api_ms = []
                    for _ in range(3):
                        started = time.perf_counter()
                        request = urllib.request.Request(
                            f"{api_url}/api/v1/analyze",
                            data=json.dumps({"url": tab.url, "html": html}).encode(),
                            headers={"Content-Type": "application/json"},
                        )
                        with urllib.request.urlopen(request) as response:
                            links = len(json.load(response)["links"])
                        api_ms.append((time.perf_counter() - started) * 1000)
                    marks: dict[str, list[float]] = {m: [] for m in MARKS + FINE_MARKS}
                    wall, complete = [], []
                    via: list[str] = []
                    collect_ms: list[float] = []
                    timings: list[str] = []
                    for _ in range(args.runs):
                        popup = context.new_page()
                        started = time.perf_counter()
                        popup.goto(f"chrome-extension://{ext_id}/popup/popup.html?tabId={tab_id}")
                        popup.wait_for_selector("#link-rows tr", timeout=120_000)
                        wall.append((time.perf_counter() - started) * 1000)
                        popup.wait_for_selector(
                            "#link-rows[data-complete=true]", state="attached", timeout=120_000
                        )
                        popup.wait_for_function(
                            "performance.getEntriesByName('link-inspector:table-painted').length"
                        )
                        complete.append((time.perf_counter() - started) * 1000)
                        for mark in MARKS + FINE_MARKS:
                            at = popup.evaluate(
                                "(m) => performance.getEntriesByName(m)[0]?.startTime ?? null",
                                f"link-inspector:{mark}",
                            )
                            if at is not None:
                                marks[mark].append(at)
                        via.append(popup.get_attribute("body", "data-served-via") or "-")
                        script_ms = popup.get_attribute("body", "data-collect-ms") or "nan"
                        timings.append(popup.get_attribute("body", "data-collect-timings") or "")
                        collect_ms.append(float(script_ms))
                        rows = popup.locator("#link-rows tr").count()
                        assert rows == links, (rows, links)
                        popup.close()
                        time.sleep(args.settle)
                    results[name] = {
                        "bytes": len(html.encode()),
                        "links": links,
                        "api_ms": statistics.median(api_ms),
                        **{m: statistics.median(v) for m, v in marks.items() if v},
                        "wall_ms": statistics.median(wall),
                        "complete_ms": statistics.median(complete),
                        "collect_ms": statistics.median(collect_ms),
                        "via": max(set(via), key=via.count),
                        "timings": timings,
                    }
                    tab.close()
                context.close()
        finally:
            api.terminate()
            api.wait(timeout=30)
    pages.shutdown()

    load = ", ".join(f"{a:.2f}->{b:.2f}" for a, b in zip(load_before, os.getloadavg(), strict=True))
    print(f"load average (1, 5, 15 min) before->after: {load}; settle {args.settle} s")
    print("times in ms from the popup's navigation start (median of runs)")
    print("page      size  links  collected  analysed  table  | wall: rows  all rows | api")
    for name, r in results.items():
        print(
            f"{name:8} {r['bytes'] / 1e6:5.2f}MB {r['links']:6d} {r['page-collected']:9.0f}"
            f" {r['analysis-received']:9.0f} {r['table-rendered']:6.0f} {r['table-painted']:6.0f} |"
            f" {r['wall_ms']:10.0f} {r['complete_ms']:9.0f} | {r['api_ms']:4.0f}"
        )
    print("page      start   read  modules  sent  served  script  served via")
    for name, r in results.items():
        fine = [f"{r[m]:.0f}" if m in r else "-" for m in FINE_MARKS]
        print(
            f"{name:8} {fine[0]:>6} {fine[1]:>6} {fine[2]:>8} {fine[3]:>5} {fine[4]:>7}"
            f" {r['collect_ms']:7.0f}  {r['via']}"
        )
    print("in-page script, ms per run: layout walk html links")
    for name, r in results.items():
        print(f"{name:8} " + " | ".join(r["timings"]))
    for name in [n for n in ("typical", "dense") if n in results]:
        r = results[name]
        ratio = r["table-rendered"] / results["small"]["table-rendered"]
        verdict = "within" if r["table-rendered"] <= TARGET_MS else "OVER"
        print(
            f"{name} 1 MB page: click-to-table {r['table-rendered']:.0f} ms, {ratio:.1f}x the 2 KB"
            f" page; {verdict} the {TARGET_MS:.0f} ms target"
        )


if __name__ == "__main__":
    main()
