"""Prospect saves per second through a real server (gunicorn -w 2), against /analyze on the
same page in the same run (the cost of storing, not of the engine).

    python bench/store_saves.py [--requests 300] [--threads 8] [--database-url URL]

Without --database-url a temporary SQLite file is used."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = "<title>Bench</title>" + "".join(
    f'<p><a href="https://site{i % 40}.example/p{i}" rel="{"nofollow" if i % 3 else ""}">'
    f"link {i}</a></p>"
    for i in range(200)
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _post(base: str, path: str, body: dict[str, object]) -> int:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        status: int = response.status
        return status


def _rate(base: str, path: str, count: int, threads: int, domains: int) -> float:
    def one(i: int) -> int:
        url = f"https://blog{i % domains}.example.com/post/{i}"
        return _post(base, path, {"url": url, "html": PAGE, "competitors": ["site1.example"]})

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - start
    assert all(s in (200, 201) for s in statuses), statuses
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        port = _port()
        env = dict(os.environ, LINKINSPECTOR_DATABASE_URL=url)
        env["LINKINSPECTOR_RATE_LIMIT"] = "1000000/minute"
        env["LINKINSPECTOR_ACCESS_LOG"] = "false"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
             "server:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/api/v1/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            _rate(base, "/api/v1/prospects", 10, 2, 5)  # warm up both workers and the schema
            analyze = _rate(base, "/api/v1/analyze", args.requests, args.threads, 50)
            new_sites = _rate(base, "/api/v1/prospects", args.requests, args.threads, 10**9)
            one_site = _rate(base, "/api/v1/prospects", args.requests, args.threads, 1)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    kind = url.split(":", 1)[0]
    print(f"database: {kind}; {args.requests} requests, {args.threads} client threads, 200 links")
    print(f"analyze (baseline)        {analyze:8.1f} req/s  1.00x")
    print(f"save, a new site each     {new_sites:8.1f} req/s  {new_sites / analyze:.2f}x")
    print(f"save, all the same site   {one_site:8.1f} req/s  {one_site / analyze:.2f}x")


if __name__ == "__main__":
    main()
