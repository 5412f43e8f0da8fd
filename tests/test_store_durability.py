"""Nothing is lost: real gunicorn workers writing at once, and a server killed with SIGKILL
in the middle of a stream of writes, leave one consistent database."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.databases

ROOT = Path(__file__).resolve().parents[1]
BOOT_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL the gunicorn master and its workers (one process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)


@contextmanager
def gunicorn(database_url: str, instance: Path, workers: int = 2) -> Iterator[Server]:
    """A real server (`gunicorn -w N`) on loopback on a temp database; killed at the end."""
    port = free_port()
    env = dict(os.environ, LINKINSPECTOR_DATABASE_URL=database_url)
    env.pop("LINKINSPECTOR_API_TOKEN", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "2",
        f"server:create_app(test_config={{'DATABASE_URL': {database_url!r}}})",
    ]
    log = open(instance / "gunicorn.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, (instance / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield Server(base, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def request(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def save(base: str, url: str, tags: list[str] | None = None) -> tuple[int, Any]:
    html = f'<title>{url}</title><a href="https://competitor.com/">c</a>'
    payload = {"url": url, "html": html, "competitors": ["competitor.com"], "tags": tags or []}
    return request(base, "POST", "/api/v1/prospects", payload)


def test_two_workers_saving_the_same_site_at_once_make_one_prospect(
    database_url: str, tmp_path: Path
) -> None:
    urls = [f"https://www.same-site.com/page/{i % 30}" for i in range(60)]
    with gunicorn(database_url, tmp_path, workers=2) as server:
        base = server.base
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda u: save(base, u, ["t1", "t2"]), urls))
        assert [status for status, _ in results] == [201] * len(urls), results
        assert len({body["id"] for _, body in results}) == 1
        status, listing = request(base, "GET", "/api/v1/prospects")
        assert status == 200
        assert listing["total"] == 1
        status, prospect = request(base, "GET", f"/api/v1/prospects/{listing['items'][0]['id']}")
        assert prospect["domain"] == "same-site.com"
        assert sorted(p["url"] for p in prospect["pages"]) == sorted(set(urls))
        assert prospect["tags"] == ["t1", "t2"]
        assert sum(1 for _, body in results if body["created"]) == 1


def consistency_problems(database_url: str) -> list[str]:
    """Half-written data: prospects without pages, pages or tags without a prospect."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    queries = {
        "prospect without pages": "SELECT count(*) FROM prospects p WHERE NOT EXISTS "
        "(SELECT 1 FROM prospect_pages g WHERE g.prospect_id = p.id)",
        "orphan page": "SELECT count(*) FROM prospect_pages g WHERE NOT EXISTS "
        "(SELECT 1 FROM prospects p WHERE p.id = g.prospect_id)",
        "orphan tag": "SELECT count(*) FROM prospect_tags t WHERE NOT EXISTS "
        "(SELECT 1 FROM prospects p WHERE p.id = t.prospect_id)",
        "prospect without its tag": "SELECT count(*) FROM prospects p WHERE NOT EXISTS "
        "(SELECT 1 FROM prospect_tags t WHERE t.prospect_id = p.id)",
    }
    problems = []
    with engine.connect() as connection:
        for name, sql in queries.items():
            count = connection.execute(text(sql)).scalar_one()
            if count:
                problems.append(f"{count} {name}")
    engine.dispose()
    return problems


def stored_page_urls(database_url: str) -> set[str]:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        urls = set(connection.execute(text("SELECT url FROM prospect_pages")).scalars())
    engine.dispose()
    return urls


def test_a_server_killed_mid_write_leaves_a_consistent_database(
    database_url: str, tmp_path: Path
) -> None:
    acknowledged: list[str] = []
    interrupted: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def writer(n: int, base: str) -> None:
        i = 0
        while not stop.is_set():
            url = f"https://site{n}-{i % 7}.example.com/post/{i}"
            i += 1
            try:
                status, _ = save(base, url, [f"w{n}"])
            except OSError:
                # The server died mid-request: nothing was acknowledged.
                with lock:
                    interrupted.append(url)
                continue
            if status == 201:
                with lock:
                    acknowledged.append(url)

    with gunicorn(database_url, tmp_path, workers=2) as server:
        threads = [threading.Thread(target=writer, args=(n, server.base)) for n in range(6)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # while six writers are sending
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(acknowledged) >= 40
    assert interrupted, "the kill should have cut requests in flight"

    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()
    assert consistency_problems(database_url) == []
    missing = set(acknowledged) - stored_page_urls(database_url)
    assert missing == set(), "acknowledged saves lost"

    with gunicorn(database_url, tmp_path, workers=1) as server:
        base = server.base
        status, listing = request(base, "GET", "/api/v1/prospects?per_page=200")
        assert status == 200
        assert listing["total"] >= 1
        assert save(base, "https://after-restart.example.org/")[0] == 201
