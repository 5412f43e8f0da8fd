"""Speed and memory of the analysis engine on the page corpus, against a bare Lexbor parse.

Run by hand from the repository root: `.venv/bin/python bench/bench_engine.py [repeats]`."""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from server import bounded, create_app  # noqa: E402
from server.analysis import analyze  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
PAGE_URL = "https://www.example.com/articles/page.html"
BIG_PAGE_BYTES = 10 * 1024 * 1024
TARGETS = {"engine": 2.0, "API": 3.0}
RSS_TARGET_MB = 200


def load_corpus() -> list[str]:
    if not CORPUS.is_dir():
        sys.exit(f"the page corpus is missing: expected {CORPUS}")
    return [p.read_bytes().decode("utf-8", "replace") for p in sorted(CORPUS.glob("*.html"))]


def children_cpu() -> float:
    """CPU time used so far by this process's children (the bounded analysis processes):
    process_time() counts only this process; RUSAGE_CHILDREN counts the children that ended
    (and were waited for), /proc the ones still running."""
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            pids = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
    return ended.ru_utime + ended.ru_stime + total / ticks


def cpu_time(run: Callable[[], object]) -> float:
    """CPU time of one run, its child processes' included: every path here is
    single-threaded, and CPU time is far steadier than wall time on a shared machine."""
    gc.collect()
    start, start_children = time.process_time(), children_cpu()
    run()
    return time.process_time() - start + children_cpu() - start_children


def interleaved_best(
    contenders: list[tuple[str, Callable[[], object], int]], rounds: int
) -> dict[str, list[float]]:
    """CPU times of each contender, taken in turns: round 1 runs each once, then round 2...
    This machine's speed drifts by half within a minute (a bare parse of the corpus took 67
    to 116 ms in one process), so a ratio is only fair between runs taken side by side.
    A contender's third field caps how many rounds it takes part in (the slow ones)."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in contenders}
    for round_ in range(rounds):
        for name, run, cap in contenders:
            if round_ < cap:
                times[name].append(cpu_time(run))
    return times


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


def engine(pages: list[str]) -> None:
    for html in pages:
        analyze(html, PAGE_URL)


def bounded_engine(pages: list[str]) -> None:
    bounded.configure(bounded.Budget())
    for html in pages:
        bounded.analyze(html, PAGE_URL)


def through_api(pages: list[str], processes: int = 4) -> None:
    # No rate limit (650 requests a run) and no access log lines on the bench's stdout.
    app = create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "ACCESS_LOG": False,
            "ANALYSIS_PROCESSES": processes,
        }
    )
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
        f"corpus: {len(pages)} pages, {size_mb:.1f} MB; CPU time, best of {repeats} rounds "
        "(BeautifulSoup and Scrapy: of 2)"
    )
    every = repeats
    contenders: list[tuple[str, Callable[[], object], int]] = [
        ("bare Lexbor parse (baseline)", lambda: bare_lexbor(pages), every),
        ("bare lxml parse", lambda: bare_lxml(raw), every),
        ("BeautifulSoup(lxml) + urljoin", lambda: soup_urljoin(pages), 2),
    ]
    scrapy = scrapy_extractor()
    if scrapy is not None:
        contenders.append(("Scrapy LinkExtractor", lambda: scrapy(raw), 2))
    contenders += [
        ("engine: analyze() on every page", lambda: engine(pages), every),
        ("  in a bounded child process (server.bounded)", lambda: bounded_engine(pages), every),
        ("POST /api/v1/analyze (Flask test client)", lambda: through_api(pages), every),
        ("  with the engine unbounded, in-process", lambda: through_api(pages, 0), every),
    ]
    times = interleaved_best(contenders, repeats)
    keys = {"engine: analyze() on every page": "engine"}
    keys["POST /api/v1/analyze (Flask test client)"] = "API"
    rows: list[tuple[str, float | None, str]] = [
        (name, min(times[name]), keys.get(name, "")) for name, _, _ in contenders
    ]
    if scrapy is None:
        rows.insert(3, ("Scrapy LinkExtractor", None, "not installed: skipped"))
    base = min(times["bare Lexbor parse (baseline)"])
    engine_best = min(times["engine: analyze() on every page"])
    bounded_best = min(times["  in a bounded child process (server.bounded)"])
    api_best = min(times["POST /api/v1/analyze (Flask test client)"])
    api_inline = min(times["  with the engine unbounded, in-process"])
    spread = times["bare Lexbor parse (baseline)"]
    print(
        f"  (the baseline's own runs: {min(spread) * 1000:.0f} to {max(spread) * 1000:.0f} ms; "
        "each row is its best run, all taken in turns)"
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

    print(
        f"cost of the bound (child process, pickling both ways): engine x"
        f"{bounded_best / engine_best:.2f}, API x{api_best / api_inline:.2f} "
        f"(target: <= x1.10 of throughput)"
    )
    peak_mb = peak_kb / 1024
    print(
        f"peak RSS of analyze() on one {page_bytes / 1e6:.1f} MB page ({links} links): "
        f"{peak_mb:.0f} MB; interpreter with the engine imported: {baseline_kb / 1024:.0f} MB"
        f" (ru_maxrss {maxrss_kb / 1024:.0f} MB)"
        f"  target <= {RSS_TARGET_MB} MB: {'ok' if peak_mb <= RSS_TARGET_MB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
