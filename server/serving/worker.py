"""The gunicorn worker class: gunicorn's asyncio worker, serving the Flask app through the bridge.

Why not gunicorn's sync or threaded workers: they read a request's head and body in the thread
or process that will run the app, so a few clients sending their headers one byte a second
hold every worker (five made health probes time out, ten denied service). Here the event loop
reads requests; a slow client costs a socket, not a worker. Two deadlines bound even that: a
connection must send a complete request head within `HEAD_SECONDS`, and its body within
`BODY_SECONDS` (see bridge.py).

Errors gunicorn answers itself, before the app sees a request (a malformed request line or
chunked body, headers over the limits), are JSON like the app's own, and never quote the
request.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.workers import gasgi

from server.serving.bridge import WsgiBridge, error_body

HEAD_SECONDS = 10.0
BODY_SECONDS = 60.0
DEFAULT_MAX_BODY = 10 * 1024 * 1024
_MESSAGES = {
    400: "The request is not valid HTTP (request line, headers or chunked body).",
    408: f"The request head did not arrive within {HEAD_SECONDS:g} s.",
    414: "The request line is too long.",
    431: "The request headers are too many or too large.",
    501: "The request uses a transfer coding this server does not support.",
}


def _code(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    return phrase.lower().replace(" ", "_").replace("-", "_").replace("'", "")


class Protocol(ASGIProtocol):  # type: ignore[misc]
    """gunicorn's HTTP/1 protocol with JSON errors and a deadline for the request head."""

    _head_timer: Any = None
    _head_started = False

    def _send_error_response(self, status: int, message: str, extra_headers: Any = ()) -> None:
        # gunicorn's message can quote the request (its line, a header): a fixed one instead.
        body = error_body(_code(status), _MESSAGES.get(status, "The request was refused."))
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        extra = "".join(f"{name}: {value}\r\n" for name, value in extra_headers)
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
        )
        self._safe_write(head.encode("latin-1") + body)

    def _start_http1(self, buffered: bytes = b"") -> None:
        super()._start_http1(buffered)
        if self._head_timer is None and not self._closed:
            self._head_timer = self.worker.loop.call_later(HEAD_SECONDS, self._head_timeout)

    def data_received(self, data: bytes) -> None:
        if data:
            self._head_started = True
        super().data_received(data)

    def _on_headers_complete(self) -> Any:
        # The first request's head is in: from now on gunicorn's keep-alive timer bounds the
        # wait for each next one.
        if self._head_timer is not None:
            self._head_timer.cancel()
        return super()._on_headers_complete()

    def _head_timeout(self) -> None:
        if self._closed or self._current_request is not None:
            return
        if self._head_started:  # a client that sent nothing at all just gets closed
            self._send_error_response(408, "")
        self._close_transport()
        if self._request_ready is not None:
            self._request_ready.set()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)


# gasgi builds `ASGIProtocol(self)` for each connection by that module-level name; this worker
# class is the only one loaded in a process that imports this module.
gasgi.ASGIProtocol = Protocol  # type: ignore[misc]


class Worker(gasgi.ASGIWorker):  # type: ignore[misc]
    """gunicorn's asyncio worker running the WSGI app given to gunicorn through `WsgiBridge`,
    with `threads` threads for the app."""

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        pass  # the parent warns that `threads` is unused; here it sizes the app's threads

    def load_wsgi(self) -> None:
        app = self.app.wsgi()
        config = getattr(app, "config", {})
        self.asgi = WsgiBridge(
            app,
            max_body_bytes=int(config.get("MAX_PAGE_BYTES", DEFAULT_MAX_BODY)),
            body_seconds=BODY_SECONDS,
            threads=max(int(self.cfg.threads), 1),
        )
