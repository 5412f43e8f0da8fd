"""`bash scripts/serve`, as the README says to run it, starts the web server and a job
worker: a link check sent to the API is done, and one SIGTERM stops both."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from simulated_web import SimulatedWeb

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def call(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_starts_the_web_server_and_a_worker_that_does_the_jobs(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ)
    env.pop("LINKINSPECTOR_API_TOKEN", None)
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY="2",
        LINKINSPECTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LINKINSPECTOR_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        LINKINSPECTOR_ALLOW_PRIVATE_FETCH="true",
    )
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen(
            ["bash", "scripts/serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        ends = time.monotonic() + 180
        while True:
            try:
                if call(base, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < ends, "the server never answered"
            time.sleep(0.2)
        with SimulatedWeb(1, delay=0.01) as web:
            status, job = call(
                base, "POST", "/api/v1/link-checks", {"urls": [web.hosts[0].url("/ok/1")]}
            )
            assert status == 202
            ends = time.monotonic() + 60
            while job["status"] != "done":
                assert time.monotonic() < ends, f"no worker did the job: {job}"
                time.sleep(0.2)
                job = call(base, "GET", f"/api/v1/jobs/{job['id']}")[1]
        assert job["results"][0]["result"] == "ok"
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            raise
    ends = time.monotonic() + 20
    while alive(serve.pid) and time.monotonic() < ends:
        time.sleep(0.1)
    assert not alive(serve.pid), "a process of scripts/serve outlived it"
