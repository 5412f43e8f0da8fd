"""The real server, started as scripts/serve starts it, attacked as a hostile client would.

One gunicorn (`gunicorn -c gunicorn.conf.py server:create_app()`, default workers and
settings, plus a token and a loopback page server it may fetch) for the whole module. A
prober asks for /api/v1/health five times a second from start to end; the last test requires
every answer within 1 s, no worker timeout in gunicorn's log and no 500 anywhere.

Every attack is bounded (counts, sizes, seconds) and sent to loopback only. Attacks come from
different loopback source addresses (127.0.0.2, .3 ...) so each has a rate budget of its own.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "attack-suite-token-0123456789abcdef"
RATE_LIMIT = 40  # per minute and client address
SECRET = "qs-must-not-be-logged"


def page_attrs(count: int = 160_000) -> str:
    return "<div " + " ".join(f"a{i}=x" for i in range(count)) + "><a href=/x>x</a></div>"


def page_options(count: int = 150_000) -> str:
    return "<select>" + "<option>x" * count + "</select><a href=/y>y</a>"


def page_misnested(count: int = 100_000, outer: str = "b", inner: str = "div") -> str:
    return f"<{outer}><{inner}></{outer}>" * count + "<a href=/z>z</a>"


def page_reopened(count: int = 100_000, outer: str = "a", inner: str = "center") -> str:
    return f"<{outer}><{inner}>" * count


PARSER_SLOW_PAGES = {
    "160k attributes on one element": page_attrs(),
    "150k <option> in a <select>": page_options(),
    "<b><div></b> repeated": page_misnested(),
    "<a><center> repeated": page_reopened(),
}


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path
    health: list[tuple[float, float, int]] = field(default_factory=list)  # (at, seconds, status)
    statuses: list[int] = field(default_factory=list)  # every status this suite received

    def connection(
        self, source: str = "127.0.0.2", timeout: float = 30
    ) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(source, 0)
        )

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        source: str = "127.0.0.2",
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, Any, float]:
        """(status, JSON body or text, seconds) of one request on a fresh connection."""
        sent = {"Authorization": f"Bearer {TOKEN}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            sent["Content-Type"] = "application/json"
        conn = self.connection(source, timeout)
        started = time.monotonic()
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        self.statuses.append(response.status)
        text = raw.decode("utf-8", "replace")
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = text
        return response.status, parsed, time.monotonic() - started

    def raw(self, data: bytes, *, source: str = "127.0.0.4", wait: float = 10) -> bytes:
        """Send bytes as they are; everything the server answers until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), source_address=(source, 0)) as s:
            s.sendall(data)
            s.settimeout(wait)
            out = b""
            try:
                while chunk := s.recv(65536):
                    out += chunk
            except (TimeoutError, ConnectionResetError):
                pass
        match = re.match(rb"HTTP/1\.[01] (\d{3})", out)
        if match:
            self.statuses.append(int(match.group(1)))
        return out


class PageServer:
    """A loopback web server for the backlink checks: a normal page, an x-user-defined page,
    and one that sends its headers a byte every 2 s (for minutes, if nobody hangs up)."""

    def __init__(self) -> None:
        handler = self._handler()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @staticmethod
    def _handler() -> type[http.server.BaseHTTPRequestHandler]:
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/drip":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: ")
                    for _ in range(120):
                        try:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(2)
                    return
                body = b'<a href="https://mysite.example/">me</a><p>caf\xe9</p>'
                self.send_response(200)
                charset = "x-user-defined" if self.path == "/x-user-defined" else "utf-8"
                self.send_header("Content-Type", f"text/html; charset={charset}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pages() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("attacked")
    port = _free_port()
    # gunicorn.conf.py's defaults (workers, threads), as scripts/serve runs it.
    skip = ("LINKINSPECTOR_", "GUNICORN", "WEB_CONCURRENCY")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(
        PORT=str(port),
        LINKINSPECTOR_BIND="127.0.0.1",
        LINKINSPECTOR_API_TOKEN=TOKEN,
        LINKINSPECTOR_ALLOW_PRIVATE_FETCH="true",  # the page server is on loopback
        LINKINSPECTOR_RATE_LIMIT=f"{RATE_LIMIT}/minute",
        LINKINSPECTOR_DATABASE_URL=f"sqlite:///{tmp / 'li.sqlite3'}",
        LINKINSPECTOR_RATELIMIT_STORAGE_URI=f"linkinspector-sqlite:///{tmp / 'rate.sqlite3'}",
    )
    stdout, stderr = tmp / "stdout.log", tmp / "stderr.log"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "server", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "server:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    running = Server(process, port, stdout, stderr)
    deadline = time.monotonic() + 30
    while True:
        try:
            if running.request("GET", "/api/v1/health", timeout=2)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError("gunicorn did not start:\n" + stderr.read_text())
        time.sleep(0.2)
    stop = threading.Event()
    prober = threading.Thread(target=_probe, args=(running, stop), daemon=True)
    prober.start()
    yield running
    stop.set()
    prober.join(timeout=10)
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _probe(server: Server, stop: threading.Event) -> None:
    """Health, five times a second, each with 5 s to answer, until the module ends."""
    while not stop.is_set():
        started = time.monotonic()
        status = 0
        try:
            conn = server.connection("127.0.0.3", timeout=5)
            conn.request("GET", "/api/v1/health")
            status = conn.getresponse().status
            conn.close()
        except OSError:
            pass
        server.health.append((started, time.monotonic() - started, status))
        stop.wait(0.2)


def _json_error(response: bytes) -> dict[str, Any]:
    head, _, body = response.partition(b"\r\n\r\n")
    assert b"application/json" in head.lower(), response[:300]
    error: dict[str, Any] = json.loads(body)["error"]
    assert set(error) == {"code", "message"}
    return error


def test_fifty_slow_sockets_do_not_starve_the_server(server: Server) -> None:
    """50 clients send their request heads a byte every 0.5 s; health keeps answering, and
    each slow client is cut off by the 10 s head deadline with a JSON 408."""
    head = b"POST /api/v1/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 200
    sockets = [
        socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.5", 0))
        for _ in range(50)
    ]
    probes_before = len(server.health)
    started = time.monotonic()
    for position in range(26):  # 13 s: past the head deadline
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.send(head[position : position + 1])
        time.sleep(0.5)
    answers = []
    for sock in sockets:
        sock.settimeout(2)
        try:
            answers.append(sock.recv(4096))
        except OSError:
            answers.append(b"")
        sock.close()
    assert time.monotonic() - started < 20
    during = server.health[probes_before:]
    assert len(during) >= 30
    assert all(status == 200 and seconds < 1 for _, seconds, status in during), during
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers), answers[:3]
    assert _json_error(answers[0])["code"] == "request_timeout"


def test_the_parser_slow_pages_get_a_fast_422_and_hold_no_worker(server: Server) -> None:
    """The four pages that kept Lexbor busy for minutes, all at once."""

    def post(item: tuple[str, str]) -> tuple[str, int, Any, float]:
        name, html = item
        status, body, seconds = server.request(
            "POST", "/api/v1/analyze", {"url": "https://attack.example/", "html": html}
        )
        return name, status, body, seconds

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(post, PARSER_SLOW_PAGES.items()))
    for name, status, body, seconds in results:
        assert status == 422, (name, status, body)
        assert body["error"]["code"] == "page_too_complex"
        assert "too complex" in body["error"]["message"]
        assert seconds < 12, (name, seconds)  # the CPU budget is 3 s; the machine is shared
    # The workers are free again: an ordinary page is answered at once.
    status, body, _ = server.request(
        "POST", "/api/v1/analyze", {"url": "https://ok.example/", "html": "<a href=/a>a</a>"}
    )
    assert status == 200 and body["summary"]["total"] == 1


def test_generated_variants_of_the_slow_pages_never_fail_or_hang(server: Server) -> None:
    """Other sizes and tags of the same patterns: each is analysed or refused with 422."""
    rng = random.Random(15)
    variants = [
        page_attrs(rng.randrange(60_000, 200_000)),
        page_options(rng.randrange(60_000, 200_000)),
        page_misnested(rng.randrange(40_000, 120_000), rng.choice("biu"), "p"),
        page_misnested(rng.randrange(40_000, 120_000), "em", rng.choice(["div", "table"])),
        page_reopened(rng.randrange(40_000, 120_000), "a", rng.choice(["center", "address"])),
        page_reopened(rng.randrange(40_000, 120_000), "nobr", "div"),
    ]

    def post(html: str) -> tuple[int, Any, float]:
        body = {"url": "https://variant.example/", "html": html}
        return server.request("POST", "/api/v1/analyze", body, source="127.0.0.6")

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(post, variants))
    for status, body, seconds in results:
        assert status in (200, 422), (status, body)
        if status == 422:
            assert body["error"]["code"] == "page_too_complex"
        assert seconds < 15


def test_a_dripping_page_cannot_hold_a_backlink_check(server: Server, pages: PageServer) -> None:
    """The page server sends one header byte every 2 s; the check ends at the fetcher's 20 s
    total deadline with an error recorded, and `flask recheck --all` ends too."""
    status, created, _ = server.request(
        "POST",
        "/api/v1/backlinks",
        {"source_url": pages.url("/drip"), "target": "mysite.example"},
        source="127.0.0.7",
    )
    assert status == 201, created
    status, body, seconds = server.request(
        "POST", f"/api/v1/backlinks/{created['id']}/check", {}, source="127.0.0.7", timeout=40
    )
    assert status == 200, body
    assert body["check"]["result"] == "error"
    assert body["check"]["error"]["code"] == "timeout"
    assert seconds < 25


def test_malformed_requests_get_json_errors_never_a_500(server: Server) -> None:
    host = b"Host: 127.0.0.1\r\n"
    auth = f"Authorization: Bearer {TOKEN}\r\n".encode()
    cases = {
        "bad request line": (b"NOT HTTP AT ALL\r\n\r\n", 400),
        "header without colon": (
            b"GET /?" + SECRET.encode() + b" HTTP/1.1\r\n" + host + b"Broken header\r\n\r\n",
            400,
        ),
        "malformed chunked body": (
            b"POST /api/v1/analyze HTTP/1.1\r\n"
            + host
            + auth
            + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"zz\r\n{}\r\n0\r\n\r\n",
            400,
        ),
        "request line too long": (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + host + b"\r\n", 414),
        "too many headers": (
            b"GET / HTTP/1.1\r\n"
            + host
            + b"".join(b"X-%d: 1\r\n" % i for i in range(200))
            + b"\r\n",
            431,
        ),
        "unknown transfer coding": (
            b"POST /api/v1/analyze HTTP/1.1\r\n" + host + b"Transfer-Encoding: zstd\r\n\r\n",
            501,
        ),
        "declared body over the limit": (
            b"POST /api/v1/analyze HTTP/1.1\r\n"
            + host
            + auth
            + b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n",
            413,
        ),
        "chunked body over the limit": (
            b"POST /api/v1/analyze HTTP/1.1\r\n"
            + host
            + auth
            + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"".join(b"100000\r\n" + b"a" * 0x100000 + b"\r\n" for _ in range(11))
            + b"0\r\n\r\n",
            413,
        ),
    }
    for name, (data, expected) in cases.items():
        response = server.raw(data)
        assert response.startswith(b"HTTP/1.1 %d" % expected), (name, response[:200])
        assert _json_error(response)["code"], name

    user_defined = {"url": "https://e.example/", "html": '<a href="/q?x=\u00e9">x</a>'}
    status, body, _ = server.request(
        "POST", "/api/v1/analyze", {**user_defined, "charset": "x-user-defined"}, source="127.0.0.8"
    )
    assert status == 200, body
    assert body["links"][0]["href"] == "https://e.example/q?x=%26%23233%3B"


def test_a_fetched_page_in_x_user_defined_is_checked(server: Server, pages: PageServer) -> None:
    status, created, _ = server.request(
        "POST",
        "/api/v1/backlinks",
        {"source_url": pages.url("/x-user-defined"), "target": "mysite.example"},
        source="127.0.0.8",
    )
    assert status == 201
    status, body, _ = server.request(
        "POST", f"/api/v1/backlinks/{created['id']}/check", {}, source="127.0.0.8"
    )
    assert status == 200
    assert body["check"]["result"] == "live-followed"


@pytest.mark.parametrize("port", [25, 6667])
def test_blocked_ports_are_refused(server: Server, port: int) -> None:
    status, created, _ = server.request(
        "POST",
        "/api/v1/backlinks",
        {"source_url": f"http://127.0.0.1:{port}/", "target": "mysite.example"},
        source="127.0.0.8",
    )
    assert status == 201
    status, body, _ = server.request(
        "POST", f"/api/v1/backlinks/{created['id']}/check", {}, source="127.0.0.8"
    )
    assert body["check"]["error"]["code"] == "blocked_port"


def test_the_rate_limit_is_one_budget_for_all_workers(server: Server) -> None:
    """Fresh connections land on every worker; together they let exactly the limit through."""
    statuses = [
        server.request("GET", f"/api/v1/backlinks?{SECRET}=1", source="127.0.0.9")[0]
        for _ in range(RATE_LIMIT + 20)
    ]
    assert statuses.count(200) == RATE_LIMIT, statuses
    assert statuses.count(429) == 20


def test_logout_revokes_a_copied_session_cookie(server: Server) -> None:
    jar = {"cookie": ""}

    def dashboard(method: str, path: str, form: str = "") -> tuple[int, str]:
        conn = server.connection("127.0.0.10")
        headers = {"Cookie": jar["cookie"]} if jar["cookie"] else {}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=form.encode() or None, headers=headers)
        response = conn.getresponse()
        html = response.read().decode()
        conn.close()
        if response.getheader("Set-Cookie"):
            jar["cookie"] = response.getheader("Set-Cookie", "").split(";", 1)[0]
        server.statuses.append(response.status)
        return response.status, html

    def csrf(html: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match is not None
        return match.group(1)

    _, html = dashboard("GET", "/login")
    status, _ = dashboard("POST", "/login", f"csrf_token={csrf(html)}&password={TOKEN}&next=/")
    assert status == 303
    status, html = dashboard("GET", "/backlinks")
    assert status == 200
    copied = jar["cookie"]
    status, _ = dashboard("POST", "/logout", f"csrf_token={csrf(html)}")
    assert status == 303
    jar["cookie"] = copied
    status, _ = dashboard("GET", "/backlinks")
    assert status == 302  # to the login page: the copy was revoked with its login


def test_throughout_health_answered_within_a_second_no_timeouts_no_500(server: Server) -> None:
    assert len(server.health) > 100
    slow = [(round(s, 2), status) for _, s, status in server.health if s >= 1 or status != 200]
    assert not slow
    errors = server.stderr.read_text()
    assert "WORKER TIMEOUT" not in errors
    assert 500 not in server.statuses
    access = [
        json.loads(line) for line in server.stdout.read_text().splitlines() if line.startswith("{")
    ]
    assert access and all(line["status"] != 500 for line in access)


def test_the_logs_hold_no_client_address_query_string_or_request_line(server: Server) -> None:
    logs = server.stdout.read_text() + server.stderr.read_text()
    assert SECRET not in logs
    assert "NOT HTTP AT ALL" not in logs
    for line in logs.splitlines():
        if "Listening at" in line:
            continue  # the server's own address
        assert not re.search(r"127\.0\.0\.\d+", line), line
