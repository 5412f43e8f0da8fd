"""Serving with gunicorn.conf.py: refuses open binds without a token, serves on loopback."""

from __future__ import annotations

import gc
import http.client
import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.config import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
APP = "server:create_app()"


def server_env(**extra: str) -> dict[str, str]:
    """The current environment minus any Link Inspector or gunicorn settings, plus `extra`."""
    dropped = ("LINKINSPECTOR_", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.pop("PORT", None)
    env.pop("WEB_CONCURRENCY", None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run_refused(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a serve command expected to exit at once; kill its whole group if it does not."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    assert "Listening at" not in stderr  # refused before any socket was opened
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def test_gunicorn_refuses_a_public_bind_without_token() -> None:
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    result = run_refused([*command, "--bind", "0.0.0.0:0", APP], server_env())
    assert result.returncode != 0
    assert "Refusing to listen on 0.0.0.0:0 without an API token" in result.stderr
    assert "LINKINSPECTOR_API_TOKEN" in result.stderr


def test_gunicorn_refuses_a_public_bind_from_env_without_token() -> None:
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", APP]
    result = run_refused(command, server_env(LINKINSPECTOR_BIND="0.0.0.0", PORT="0"))
    assert result.returncode != 0
    assert "Refusing to listen on 0.0.0.0" in result.stderr


def test_procfile_web_process_refuses_to_start_without_token() -> None:
    (line,) = [ln for ln in (ROOT / "Procfile").read_text().splitlines() if ln.startswith("web:")]
    command = line.removeprefix("web:").strip()
    assert "-c gunicorn.conf.py" in command
    result = run_refused(["bash", "-c", command], server_env(PORT="0"))
    assert result.returncode != 0
    assert "without an API token" in result.stderr


def test_gunicorn_conf_sizes_workers_recycles_them_and_preloads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PORT", "WEB_CONCURRENCY", "LINKINSPECTOR_BIND"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == ["127.0.0.1:8750"]
    assert 3 <= conf["workers"] <= 9
    assert conf["timeout"] > 0 and conf["graceful_timeout"] > 0
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["preload_app"] is True
    assert conf["accesslog"] is None  # gunicorn's line would carry the query string


def test_gunicorn_conf_freezes_the_masters_objects_before_each_fork() -> None:
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        conf["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_gunicorn_conf_binds_port_and_bind_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("LINKINSPECTOR_BIND", "::1")
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == ["[::1]:9123"]
    assert conf["workers"] == 2


def test_deploy_docs_table_lists_every_setting() -> None:
    docs = (ROOT / "docs" / "deploy.md").read_text()
    for key in DEFAULTS:
        assert f"`LINKINSPECTOR_{key}`" in docs, key
    assert "`PORT`" in docs


class Gunicorn:
    """gunicorn.conf.py on 127.0.0.1 port 0, its output collected by reader threads."""

    def __init__(self, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", APP],
            cwd=ROOT,
            env=server_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, lines in (
            (self.process.stdout, self.stdout),
            (self.process.stderr, self.stderr),
        ):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()
        self.port = self._wait_for_port()
        self._wait_until_serving()

    @staticmethod
    def _collect(stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line)

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in list(self.stderr):
                if match := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                    return int(match.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError("gunicorn did not start:\n" + "".join(self.stderr))

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("gunicorn never answered:\n" + "".join(self.stderr))

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(self, method: str, path: str, **kwargs: object) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request(method, path, **kwargs)  # type: ignore[arg-type]
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return self.process.returncode


@pytest.fixture(scope="module")
def served() -> Iterator[Gunicorn]:
    server = Gunicorn(
        PORT="0",
        LINKINSPECTOR_BIND="127.0.0.1",
        WEB_CONCURRENCY="2",
        LINKINSPECTOR_MAX_PAGE_BYTES="4096",
    )
    try:
        yield server
    finally:
        server.stop()


def test_serve_on_loopback_answers_health(served: Gunicorn) -> None:
    status, body = served.request("GET", "/api/v1/health")
    assert status == 200
    assert json.loads(body)["status"] == "ok"


def test_serve_analyses_a_page(served: Gunicorn) -> None:
    page = {"url": "https://blog.example/", "html": '<a href="https://x.example/">x</a>'}
    status, body = served.request(
        "POST",
        "/api/v1/analyze",
        body=json.dumps(page),
        headers={"Content-Type": "application/json"},
    )
    assert status == 200
    assert json.loads(body)["summary"]["external"] == 1


def test_served_chunked_body_over_the_limit_is_413(served: Gunicorn) -> None:
    chunks = iter([b'{"url": "https://blog.example/", "html": "', b"x" * 8192, b'"}'])
    conn = served.connection()
    try:
        conn.request(
            "POST",
            "/api/v1/analyze",
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["code"] == "request_entity_too_large"
    finally:
        conn.close()


def test_served_foreign_host_is_421(served: Gunicorn) -> None:
    status, _ = served.request("GET", "/api/v1/health", headers={"Host": "rebind.example:8750"})
    assert status == 421


def test_served_access_log_is_json_lines_without_the_query(served: Gunicorn) -> None:
    before = len(served.stdout)
    status, _ = served.request("GET", "/api/v1/health?q=SECRET-QUERY")
    assert status == 200

    def health_lines() -> list[dict[str, object]]:
        # An earlier test's request may log late, so look for this request's line.
        records = [json.loads(line) for line in served.stdout[before:]]
        return [r for r in records if r.get("route") == "/api/v1/health"]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not health_lines():
        time.sleep(0.05)
    record = health_lines()[-1]
    assert {"method": "GET", "route": "/api/v1/health", "status": 200}.items() <= record.items()
    assert all(json.loads(line) for line in served.stdout)  # every stdout line is JSON
    assert "SECRET" not in "".join(served.stdout + served.stderr)


def test_serve_stops_cleanly_and_leaves_nothing_listening() -> None:
    server = Gunicorn(PORT="0", WEB_CONCURRENCY="1")
    assert server.stop() == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), timeout=2):
        pass
