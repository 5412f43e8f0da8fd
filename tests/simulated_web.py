"""A simulated web on loopback for link checks and bulk fetches: many hosts (each its own
127.0.0.x address, so each is a separate host to politeness), every answer late by `delay`,
and paths that behave like the web's troublemakers. Used by tests and bench/.

Paths (`<n>` is any text): /ok/<n> 200 · /moved/<n> 301 -> /ok/<n> · /temp/<n> 302 ->
/ok/<n> · /chain/<k> k redirects · /loop/<n> redirects to itself · /offsite/<n>?to=URL 302
to URL · /missing/<n> 404 · /gone/<n> 410 · /error/<n> 500 always · /flaky/<n> 500 once,
then 200 · /nohead/<n> 405 to HEAD, 200 to GET · /headlies/<n> 403 to HEAD, 200 to GET ·
/busy/<n> 429 Retry-After: 1 once, then 200 · /busy-long/<n> 429 Retry-After: 3600 ·
/li/<n> 999 · /challenge/<n> Cloudflare's challenge (403, cf-mitigated) · /auth/<n> 401 ·
/slow/<n> answers after 5 s · /drip/<n> a header byte every 0.5 s · /to-logout/<n> 302 ->
/logout · /logout 200 (and must never be asked) · /html/<n> a page set with `page()`."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

CHALLENGE_BODY = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"


@dataclass
class SimHost:
    address: str
    port: int = 0
    head_refused: bool = False  # every HEAD answers 405 (a server that does not do HEAD)
    pages: dict[str, str] = field(default_factory=dict)
    seen: Counter[str] = field(default_factory=Counter)  # "METHOD path" -> times
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, html: str) -> str:
        """Serve `html` at `path` (200, text/html) and return its URL."""
        self.pages[path] = html
        return self.url(path)

    def times(self, path: str, method: str | None = None) -> int:
        """How often `path` was requested (by `method`, or by any method)."""
        if method is not None:
            return self.seen[f"{method} {path}"]
        return sum(n for key, n in self.seen.items() if key.split(" ", 1)[1] == path)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    sim: SimHost
    web: SimulatedWeb

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (a timeout, a checker stopping) is not news here


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as web servers do
    # Headers and body go out as two writes: with Nagle's algorithm the body would wait for
    # the client's delayed ACK (40 ms), a stall real servers do not have.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_GET(self) -> None:
        self._answer("GET")

    def _send(self, status: int, headers: tuple[tuple[str, str], ...] = (), body: bytes = b""):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name.lower() == "content-type" for name, _ in headers):
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _answer(self, method: str) -> None:
        host, web = self.server.sim, self.server.web
        parts = urlsplit(self.path)
        path = parts.path
        with host.lock:
            first = host.seen[f"GET {path}"] + host.seen[f"HEAD {path}"] == 0
            host.seen[f"{method} {path}"] += 1
            host.in_flight += 1
            host.peak = max(host.peak, host.in_flight)
        # A request counts as in flight while the server "works" on it; the count drops as
        # the answer starts, so a client that moves on once it has read the answer is not
        # seen overlapping with itself.
        try:
            time.sleep(web.delay)
        finally:
            with host.lock:
                host.in_flight -= 1
        self._route(method, path, parts.query, first)

    def _route(self, method: str, path: str, query: str, first: bool) -> None:
        host = self.server.sim
        kind, _, rest = path.strip("/").partition("/")
        page = b"<!doctype html><title>A page</title><p>Hello</p>"
        if method == "HEAD" and host.head_refused:
            self._send(405, (("Allow", "GET"),))
        elif kind in ("ok", "logout"):
            self._send(200, body=page)
        elif kind == "html":
            html = host.pages.get(path)
            self._send(200 if html is not None else 404, body=(html or "gone").encode())
        elif kind == "moved":
            self._send(301, (("Location", f"/ok/{rest}"),))
        elif kind == "temp":
            self._send(302, (("Location", f"/ok/{rest}"),))
        elif kind == "chain":
            left = int(rest or 0)
            location = f"/chain/{left - 1}" if left > 0 else "/ok/end"
            self._send(301 if left > 0 else 302, (("Location", location),))
        elif kind == "loop":
            self._send(302, (("Location", path),))
        elif kind == "offsite":
            self._send(302, (("Location", parse_qs(query)["to"][0]),))
        elif kind == "to-logout":
            self._send(302, (("Location", "/logout"),))
        elif kind == "missing":
            self._send(404, body=b"not found")
        elif kind == "gone":
            self._send(410, body=b"gone")
        elif kind == "error":
            self._send(500, body=b"oops")
        elif kind == "flaky":
            self._send(500 if first else 200, body=page)
        elif kind == "nohead":
            self._send(405, (("Allow", "GET"),)) if method == "HEAD" else self._send(200, body=page)
        elif kind == "headlies":
            self._send(403) if method == "HEAD" else self._send(200, body=page)
        elif kind == "busy":
            if first:
                self._send(429, (("Retry-After", "1"),))
            else:
                self._send(200, body=page)
        elif kind == "busy-long":
            self._send(429, (("Retry-After", "3600"),))
        elif kind == "li":
            self._send(999, body=b"request denied")
        elif kind == "challenge":
            self._send(403, (("cf-mitigated", "challenge"),), CHALLENGE_BODY)
        elif kind == "auth":
            self._send(401, (("WWW-Authenticate", 'Basic realm="x"'),))
        elif kind == "slow":
            time.sleep(5)
            self._send(200, body=page)
        elif kind == "drip":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(40):
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.5)
        else:
            self._send(404, body=b"no such path")


class SimulatedWeb:
    """`hosts` HTTP servers on 127.0.0.2, 127.0.0.3... and `refused` addresses where
    nothing listens. Start with `with SimulatedWeb(...) as web:`."""

    def __init__(self, hosts: int = 4, *, delay: float = 0.1, refused: int = 0, first: int = 2):
        self.delay = delay
        self.hosts = [SimHost(f"127.0.0.{first + i}") for i in range(hosts)]
        self.refused = [f"127.0.0.{first + hosts + i}" for i in range(refused)]
        self._refused_port = 0
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> SimulatedWeb:
        for host in self.hosts:
            server = _Server((host.address, 0), _Handler)
            server.sim = host
            server.web = self
            host.server = server
            host.port = server.server_address[1]
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            thread.start()
            self._threads.append(thread)
        # A port that was just free: connecting to it on the refused addresses is refused.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self._refused_port = probe.getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        for host in self.hosts:
            if host.server is not None:
                host.server.shutdown()
                host.server.server_close()

    def refused_url(self, index: int, path: str = "/ok/x") -> str:
        return f"http://{self.refused[index]}:{self._refused_port}{path}"

    def peak(self) -> int:
        """The most requests any one host saw at once."""
        return max((h.peak for h in self.hosts), default=0)

    def requests(self) -> int:
        return sum(sum(h.seen.values()) for h in self.hosts)
