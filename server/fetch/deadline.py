"""One deadline for a whole fetch, enforced at the socket level.

Timeouts on a socket bound each wait, not their sum: a server that sends one byte of its
headers every 10 s never trips a 15 s read timeout, and `http.client` reads headers line by
line with no total bound of its own. `Deadline` closes that gap. Every socket the fetch opens
is registered with it (`guard`), and when the moment passes a timer shuts the sockets down,
which ends any read or write blocked on them at once, wherever it is: TLS handshake, status
line, headers or body. The fetch then reports `timeout`, because `expired` says why the socket
failed.

Usage, for any request made with urllib3 (GET here, and a HEAD layer can do the same):

    deadline = Deadline(20.0)
    try:
        pool = urllib3.HTTPConnectionPool(host, port, retries=False)
        guard_pool(pool, deadline)         # its connections register their sockets
        pool.urlopen("HEAD", path, timeout=urllib3.Timeout(connect=min(5, deadline.left())))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if deadline.expired:
            raise deadline.error() from exc
    finally:
        deadline.close()
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from server.fetch.model import FetchError


class Deadline:
    """The moment by which everything a fetch does must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        """Seconds left; FetchError('timeout') once none are."""
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError(
            "timeout", f"the fetch took longer than its time limit ({self.seconds:g} s in all)"
        )

    def guard(self, sock: socket.socket) -> None:
        """Shut `sock` down when the deadline passes (at once if it already has)."""
        with self._lock:
            self._sockets.append(sock)
            if self._timer is None and not self.expired:
                self._timer = threading.Timer(max(self.ends - time.monotonic(), 0), self._expire)
                self._timer.daemon = True
                self._timer.start()
            expired = self.expired
        if expired:
            _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def close(self) -> None:
        """Stop the timer (the fetch is over) and forget the sockets."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _GuardedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._deadline.guard(sock)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> socket.socket:
        # The TLS socket wraps this one: shutting this down ends the handshake and reads too.
        sock = super()._new_conn()
        self._deadline.guard(sock)
        return sock


def guard_pool(pool: urllib3.HTTPConnectionPool, deadline: Deadline) -> None:
    """Make every connection `pool` opens register its socket with `deadline`."""
    if isinstance(pool, urllib3.HTTPSConnectionPool):
        pool.ConnectionCls = _GuardedHTTPSConnection
    else:
        pool.ConnectionCls = _GuardedHTTPConnection
    pool.conn_kw["deadline"] = deadline
