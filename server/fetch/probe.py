"""One HTTP exchange with any URL, SSRF-safe, for checking that a link works: HEAD or GET,
any content type, no redirect followed (the caller checks each hop: its address, its host's
politeness, whether it looks like an action), the body read only as far as asked.

The whole exchange — connect, headers, body — ends by one deadline held at the socket: a
server that drips one header byte every few seconds is cut off when the time is up."""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import socket
import threading
import time
from dataclasses import dataclass

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from server.fetch.addresses import IPAddress, Target, allowed_addresses, parse_target
from server.fetch.model import FetchError

_CHUNK = 16 * 1024
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True, slots=True)
class ProbeResponse:
    """What one request to one URL answered."""

    url: str  # the URL requested (as a browser serialises it, without fragment)
    method: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # the first `body_bytes` bytes (decompressed); empty for HEAD

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def location(self) -> str | None:
        """The Location header read as a browser reads it (UTF-8 bytes), or None."""
        value = self.header("Location")
        if value is None:
            return None
        try:  # http.client decodes header bytes as Latin-1
            return value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return value


class _Reaper:
    """Shuts a socket down when its exchange's deadline passes: a blocked read then returns
    at once, whatever the server is doing (one thread for every probe in the process)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, socket.socket]] = []
        self._live: set[int] = set()
        self._ids = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, deadline: float) -> int:
        with self._wake:
            token = next(self._ids)
            earliest = not self._heap or deadline < self._heap[0][0]
            heapq.heappush(self._heap, (deadline, token, sock))
            self._live.add(token)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="probe-reaper", daemon=True)
                self._thread.start()
            if earliest:  # the reaper sleeps until the earliest deadline: wake it for a new one
                self._wake.notify()
            return token

    def forget(self, token: int) -> None:
        with self._wake:
            self._live.discard(token)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._wake.wait(5.0)
                    continue
                deadline, token, sock = self._heap[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(token)
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


_REAPER = _Reaper()
# An idle kept-alive connection is reused for this long (servers commonly close after 5 s).
_KEEP_IDLE = 4.0
_IDLE_PER_ADDRESS = 4


class _Idle:
    """Kept-alive connections between requests, by the host name and the checked address
    they are connected to: the next request to that host skips the TCP and TLS handshakes,
    and a reused connection still goes only to an address checked for this request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[tuple[str, str, int, str], list[tuple[float, HTTPConnection]]] = {}

    def take(self, target: Target, addresses: tuple[IPAddress, ...]) -> HTTPConnection | None:
        now = time.monotonic()
        stale: list[HTTPConnection] = []
        found: HTTPConnection | None = None
        with self._lock:
            for address in addresses:
                stack = self._connections.get(_key(target, str(address)))
                while stack and found is None:
                    since, conn = stack.pop()
                    if now - since < _KEEP_IDLE and conn.sock is not None:
                        found = conn
                    else:
                        stale.append(conn)
                if found is not None:
                    break
        for conn in stale:
            conn.close()
        return found

    def give(self, target: Target, conn: HTTPConnection) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._connections) > 1024:  # forget hosts not asked for a while
                for key in [
                    k for k, s in self._connections.items() if not s or now - s[-1][0] > _KEEP_IDLE
                ]:
                    for _since, old in self._connections.pop(key):
                        old.close()
            stack = self._connections.setdefault(_key(target, str(conn.host)), [])
            if len(stack) < _IDLE_PER_ADDRESS:
                stack.append((now, conn))
                return
        conn.close()


def _key(target: Target, address: str) -> tuple[str, str, int, str]:
    return (target.scheme, target.hostname, target.port, address)


_IDLE = _Idle()


def _connection(target: Target, address: IPAddress, timeout: float) -> HTTPConnection:
    # Connect to the checked address; TLS still sends SNI for, and verifies the certificate
    # against, the host name of the URL.
    if target.scheme == "https":
        return HTTPSConnection(
            str(address),
            target.port,
            timeout=timeout,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
        )
    return HTTPConnection(str(address), target.port, timeout=timeout)


def _connect(target: Target, addresses: tuple[IPAddress, ...], timeout: float) -> HTTPConnection:
    """A connection to the first of the host's checked addresses that accepts one."""
    failure: Exception | None = None
    for address in addresses:
        conn = _connection(target, address, timeout)
        try:
            conn.connect()
        except (NewConnectionError, ConnectTimeoutError, OSError) as exc:
            conn.close()
            failure = exc
            continue
        return conn
    assert failure is not None
    raise failure


def _failure(exc: BaseException, target: Target, expired: bool) -> FetchError:
    if isinstance(exc, FetchError):
        return exc
    if expired:
        return FetchError("timeout", f"{target.host_header} did not answer in time")
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return FetchError("timeout", f"connecting to {target.host_header} timed out")
    if isinstance(exc, ReadTimeoutError | TimeoutError | socket.timeout):
        return FetchError("timeout", f"{target.host_header} did not answer in time")
    if isinstance(exc, DecodeError):
        return FetchError("connect", f"{target.host_header} sent a body that does not decompress")
    if isinstance(exc, NewConnectionError | ConnectionRefusedError):
        return FetchError("connect", f"{target.host_header} refused the connection")
    return FetchError("connect", f"cannot fetch from {target.host_header}: {exc}")


def probe(
    url: str,
    *,
    method: str = "HEAD",
    allow_private: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    total_timeout: float = 15.0,
    body_bytes: int = 0,
    user_agent: str,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> ProbeResponse:
    """Send one `method` request to `url` (with `content` as its body and extra `headers`,
    for a webhook's POST) and return its status, headers and the start of its body.
    Raises FetchError: bad_url, bad_scheme, blocked_address, dns, connect, timeout."""
    target = parse_target(url)
    deadline = time.monotonic() + total_timeout
    addresses = allowed_addresses(target, allow_private=allow_private, timeout=total_timeout)
    sent = {
        "Host": target.host_header,
        "User-Agent": user_agent,
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
        **(headers or {}),
    }
    conn = _IDLE.take(target, addresses)
    try:
        if conn is not None:
            try:
                return _exchange(
                    conn, target, method, sent, read_timeout, deadline, body_bytes, content
                )
            except (ProtocolError, http.client.HTTPException, OSError):
                # The server closed the idle connection first: ask again on a new one.
                if time.monotonic() >= deadline:
                    raise
        conn = _connect(target, addresses, min(connect_timeout, total_timeout))
        return _exchange(conn, target, method, sent, read_timeout, deadline, body_bytes, content)
    except (HTTPError, ProtocolError, http.client.HTTPException, OSError, ValueError) as exc:
        raise _failure(exc, target, time.monotonic() >= deadline) from exc


def _exchange(
    conn: HTTPConnection,
    target: Target,
    method: str,
    headers: dict[str, str],
    read_timeout: float,
    deadline: float,
    body_bytes: int,
    content: bytes | None = None,
) -> ProbeResponse:
    """One request and answer on `conn`; the connection is kept for the next request to
    this host when the answer was read to its end and the server keeps it open."""
    assert conn.sock is not None
    token = _REAPER.watch(conn.sock, deadline)
    keep = False
    try:
        conn.timeout = max(0.001, min(read_timeout, deadline - time.monotonic()))
        conn.request(
            method, target.request_target, body=content, headers=headers, preload_content=False
        )
        response = conn.getresponse()
        body = bytearray()
        ended = method == "HEAD" or response.status in (204, 304)
        if ended:
            response.read()  # no body: this marks the answer read, so the connection is free
        while not ended and len(body) <= body_bytes:
            chunk = response.read1(_CHUNK, decode_content=True)
            ended = not chunk
            body += chunk
        if time.monotonic() >= deadline:
            raise FetchError("timeout", f"{target.host_header} did not answer in time")
        raw = getattr(response, "_fp", None)
        keep = ended and raw is not None and not getattr(raw, "will_close", True)
        return ProbeResponse(
            url=target.url,
            method=method,
            status=response.status,
            headers=tuple(response.headers.items()),
            body=bytes(body[:body_bytes]),
        )
    finally:
        _REAPER.forget(token)
        if keep and time.monotonic() < deadline:
            _IDLE.give(target, conn)
        else:
            conn.close()


__all__ = ["ProbeResponse", "parse_target", "probe"]
