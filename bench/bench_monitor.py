"""Backlink monitoring throughput and the rendering pool's memory, on a simulated web on
loopback (tests/simulated_web.py: each host its own 127.0.0.x address, every answer `delay`
late, pages of ~30 KB with ~120 links).

Prints, for one worker (the job system in this process: the scheduler's job run to the end,
SQLite database), backlinks checked per minute:

- served HTML: the link is in the page the server fetches (the common case);
- rendered: a script adds the link, so each check also renders the page in headless
  Chromium (RENDER=auto, LINKINSPECTOR_RENDER_PAGES pages at once);

each against a baseline measured in the same run: the bare check (fetch + analysis in
`server.monitor.check_backlink`, the same thread count, no database, no job system). And the
rendering pool's memory: PSS of the Playwright driver and every Chromium process, idle
after start and at its peak while rendering, beside the worker process's own RSS.

    .venv/bin/python bench/bench_monitor.py              # 400 served, 60 rendered
    .venv/bin/python bench/bench_monitor.py --quick      # 100 served, 20 rendered
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from simulated_web import SimulatedWeb  # noqa: E402

from server import create_app  # noqa: E402
from server.jobs.backlink_checks import schedule_due  # noqa: E402
from server.jobs.runner import run_until_done  # noqa: E402
from server.monitor import check_backlink, schedule_new  # noqa: E402
from server.render import RenderSettings, find_chromium, get_renderer  # noqa: E402
from server.store.backlinks import add_backlink  # noqa: E402
from server.store.db import session_scope  # noqa: E402
from server.store.models import utcnow  # noqa: E402

HOSTS = 20
DELAY = 0.05
FILLER = "".join(
    f'<li><a href="https://site{i}.example/page/{i}">Related article number {i}</a> '
    "with a sentence of text around it, as articles have.</li>"
    for i in range(120)
)
SERVED = (
    "<!doctype html><title>Post {n}</title><main><p>Thanks to {link}</p><ul>{filler}</ul></main>"
)
LINK = '<a href="https://mysite.com/guide">my guide</a>'
SCRIPT = (
    "document.querySelector('main p').insertAdjacentHTML('beforeend',"
    " '<a href=\"https://mysite.com/guide\">my guide</a>');"
)


def pages(web: SimulatedWeb, count: int, rendered: bool) -> list[str]:
    urls = []
    for n in range(count):
        host = web.hosts[n % len(web.hosts)]
        if rendered:
            host.page("/html/app.js", SCRIPT)
            html = SERVED.format(n=n, link='<script src="/html/app.js"></script>', filler=FILLER)
        else:
            html = SERVED.format(n=n, link=LINK, filler=FILLER)
        urls.append(host.page(f"/html/{'r' if rendered else 's'}{n}", html))
    return urls


def job_system(app, urls: list[str]) -> float:
    """Track the backlinks, make them due, and time the scheduler's job to its end."""
    with session_scope(app) as session:
        made = [add_backlink(session, url, "mysite.com")[0] for url in urls]
        schedule_new(app, made)
        for backlink in made:
            backlink.next_check_at = utcnow()
    started = time.perf_counter()
    job_id = schedule_due(app)
    assert job_id is not None
    run_until_done(app, job_id)
    return time.perf_counter() - started


def bare(urls: list[str], threads: int, render: str, renderer) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(
            pool.map(
                lambda url: check_backlink(
                    url,
                    "mysite.com",
                    allow_private=True,
                    robots_txt=False,
                    render=render,
                    renderer=renderer,
                ),
                urls,
            )
        )
    elapsed = time.perf_counter() - started
    live = sum(o.result == "live-followed" for o in outcomes)
    assert live == len(urls), f"only {live} of {len(urls)} found live"
    return elapsed


def per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60


def row(label: str, count: int, seconds: float, note: str = "") -> None:
    extra = f"  ({note})" if note else ""
    print(f"  {label:<34} {per_minute(count, seconds):8,.0f} / min  {seconds:6.2f} s{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    served_n, rendered_n = (100, 20) if args.quick else (400, 60)
    chromium = find_chromium(None)
    with tempfile.TemporaryDirectory() as tmp, SimulatedWeb(HOSTS, delay=DELAY) as web:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "ALLOW_PRIVATE_FETCH": True,
                "ROBOTS_TXT": False,
                "RENDER": "auto",
                "JOB_LAP_SECONDS": 600,
            }
        )
        app.instance_path = tmp
        settings = RenderSettings.from_config(app.config)
        per_host = int(app.config["PER_HOST_LIMIT"])
        print(
            f"simulated web: {HOSTS} hosts, {DELAY * 1000:.0f} ms per answer, pages of "
            f"{len(SERVED.format(n=0, link=LINK, filler=FILLER)) // 1024} KB; per-host limit "
            f"{per_host}, {settings.pages} pages rendered at once"
        )
        served = pages(web, served_n, rendered=False)
        base = bare(served, HOSTS * per_host, "never", None)
        system = job_system(app, served)
        print(f"\nserved HTML, {served_n} backlinks")
        row(f"bare check, {HOSTS * per_host} threads", served_n, base)
        row("job system, one worker", served_n, system, f"{system / base:.2f}x the bare time")
        if chromium is None:
            print("\nrendered: no Chromium installed, skipped")
            return
        renderer = get_renderer(settings)
        rendered = pages(web, rendered_n, rendered=True)
        renderer.render(rendered[0], "<p>warm up</p>", ())  # start the browser
        idle = renderer.memory()
        peak = dict(idle)
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.1):
                now = renderer.memory()
                if now["pss_kb"] > peak["pss_kb"]:
                    peak.update(now)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        base_r = bare(rendered, settings.pages * 2, "auto", renderer)
        system_r = job_system(app, rendered)
        stop.set()
        sampler.join()
        print(f"\nrendered (the link added by a script), {rendered_n} backlinks")
        row(f"bare check + render, {settings.pages * 2} threads", rendered_n, base_r)
        slower = system_r / rendered_n * served_n / system
        row(
            "job system, one worker",
            rendered_n,
            system_r,
            f"{system_r / base_r:.2f}x the bare time; {slower:.0f}x a served-HTML check's",
        )
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("\nrendering pool memory (PSS of the Playwright driver and every Chromium process)")
        print(
            f"  idle after start: {idle['pss_kb'] / 1024:6.0f} MB in {idle['processes']} processes"
        )
        print(
            f"  peak rendering:   {peak['pss_kb'] / 1024:6.0f} MB in {peak['processes']} processes"
        )
        print(f"  the worker process itself (peak RSS): {own:6.0f} MB")
        renderer.close()
        os._exit(0)  # the bounded analysis pool's children go with the process


if __name__ == "__main__":
    main()
