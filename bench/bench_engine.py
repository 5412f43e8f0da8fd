"""Speed and memory of the analysis engine on the page corpus, against a bare Lexbor parse.

Run by hand from the repository root: `.venv/bin/python bench/bench_engine.py [repeats]`."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from server import create_app  # noqa: E402
from server.analysis import analyze  # noqa: E402
from server.analysis.nesting import bound_depth  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
PAGE_URL = "https://www.example.com/articles/page.html"
BIG_PAGE_BYTES = 10 * 1024 * 1024
TARGETS = {"engine": 2.0, "API": 3.0}
RSS_TARGET_MB = 200


def load_corpus() -> list[str]:
    if not CORPUS.is_dir():
        sys.exit(f"the page corpus is missing: expected {CORPUS}")
    return [p.read_bytes().decode("utf-8", "replace") for p in sorted(CORPUS.glob("*.html"))]


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """Best CPU time of `repeats` runs: every path here is single-threaded, and CPU time is
    far steadier than wall time on a shared 2-core machine."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def bare_lexbor(pages: list[str]) -> None:
    for html in pages:
        LexborHTMLParser(html)


def bare_lxml(pages: list[bytes]) -> None:
    import lxml.html

    for body in pages:
        lxml.html.fromstring(body)


def soup_urljoin(pages: list[str]) -> None:
    from bs4 import BeautifulSoup

    for html in pages:
        soup = BeautifulSoup(html, "lxml")
        for tag in soup.find_all(["a", "area"], href=True):
            _ = (urljoin(PAGE_URL, tag["href"]), tag.get("rel"))


def scrapy_extractor() -> Callable[[list[bytes]], None] | None:
    try:
        from scrapy.http import HtmlResponse
        from scrapy.linkextractors import LinkExtractor
    except ImportError:
        return None

    def run(pages: list[bytes]) -> None:
        extractor = LinkExtractor()
        for body in pages:
            extractor.extract_links(HtmlResponse(PAGE_URL, body=body, encoding="utf-8"))

    return run


def nesting_guard(pages: list[str]) -> None:
    for html in pages:
        bound_depth(html)


def engine(pages: list[str]) -> None:
    for html in pages:
        analyze(html, PAGE_URL)


def through_api(pages: list[str]) -> None:
    # No rate limit (650 requests a run) and no access log lines on the bench's stdout.
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "ACCESS_LOG": False})
    client = app.test_client()
    for html in pages:
        response = client.post("/api/v1/analyze", json={"url": PAGE_URL, "html": html})
        assert response.status_code == 200, response.get_data(as_text=True)[:200]


_RSS_CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from server.analysis import analyze


def peak_kb():
    # ru_maxrss survives fork+exec (a child starts with its parent's peak); VmHWM is this
    # process's own high-water mark. Both in KiB.
    own = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(own[0].split()[1]) if own else maxrss


if {build}:
    parts, size = [], 0
    pages = sorted(Path({corpus!r}).glob("*.html"))
    while size < {size}:
        for p in pages:
            text = p.read_bytes().decode("utf-8", "replace")
            parts.append(text)
            size += len(text)
            if size >= {size}:
                break
    html = "".join(parts)[: {size}]
    del parts
    result = analyze(html, "https://www.example.com/big.html")
    print(len(html.encode("utf-8")), len(result.links), end=" ")
print(peak_kb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss(build: bool) -> list[int]:
    """Run the engine in a fresh interpreter: [page bytes, links,] peak KiB, ru_maxrss KiB."""
    code = _RSS_CHILD.format(root=str(ROOT), corpus=str(CORPUS), size=BIG_PAGE_BYTES, build=build)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [int(x) for x in out.stdout.split()]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    # Memory first, while this process is still small.
    baseline_kb, _ = peak_rss(build=False)
    page_bytes, links, peak_kb, maxrss_kb = peak_rss(build=True)

    pages = load_corpus()
    raw = [html.encode("utf-8") for html in pages]
    size_mb = sum(len(b) for b in raw) / 1e6
    print(
        f"corpus: {len(pages)} pages, {size_mb:.1f} MB; CPU time, best of {repeats} "
        "(BeautifulSoup and Scrapy: best of 2)"
    )
    base = best_of(repeats, lambda: bare_lexbor(pages))
    rows: list[tuple[str, float | None, str]] = [("bare Lexbor parse (baseline)", base, "")]
    rows.append(("bare lxml parse", best_of(repeats, lambda: bare_lxml(raw)), ""))
    rows.append(("BeautifulSoup(lxml) + urljoin", best_of(2, lambda: soup_urljoin(pages)), ""))
    scrapy = scrapy_extractor()
    if scrapy is None:
        rows.append(("Scrapy LinkExtractor", None, "not installed: skipped"))
    else:
        rows.append(("Scrapy LinkExtractor", best_of(2, lambda: scrapy(raw)), ""))
    rows.append(
        ("engine: analyze() on every page", best_of(repeats, lambda: engine(pages)), "engine")
    )
    rows.append(
        ("  of which the nesting guard", best_of(repeats, lambda: nesting_guard(pages)), "")
    )
    rows.append(
        (
            "POST /api/v1/analyze (Flask test client)",
            best_of(repeats, lambda: through_api(pages)),
            "API",
        )
    )

    for label, seconds, key in rows:
        if seconds is None:
            print(f"  {label:<44} {key}")
            continue
        ratio = seconds / base
        verdict = ""
        if key in TARGETS:
            target = TARGETS[key]
            verdict = f"  target <= {target:.1f}x: {'ok' if ratio <= target else 'MISSED'}"
        print(f"  {label:<44} {seconds * 1000:8.0f} ms  {ratio:6.2f}x{verdict}")

    peak_mb = peak_kb / 1024
    print(
        f"peak RSS of analyze() on one {page_bytes / 1e6:.1f} MB page ({links} links): "
        f"{peak_mb:.0f} MB; interpreter with the engine imported: {baseline_kb / 1024:.0f} MB"
        f" (ru_maxrss {maxrss_kb / 1024:.0f} MB)"
        f"  target <= {RSS_TARGET_MB} MB: {'ok' if peak_mb <= RSS_TARGET_MB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
