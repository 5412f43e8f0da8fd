"""The Flask (WSGI) app behind gunicorn's asyncio worker: whole requests in, threads for the app.

The event loop reads each request — head, then body — without holding a thread, however
slowly the client sends it; only a complete request goes to a thread that runs Flask. A body
over the size limit is refused (413) as soon as its Content-Length or its bytes say so, and a
body that takes longer than `body_seconds` in all is refused with 408. Responses are small
(JSON, HTML, CSV exports) and are sent whole.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

import orjson

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def error_body(code: str, message: str) -> bytes:
    return orjson.dumps({"error": {"code": code, "message": message}})


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    """A JSON error response that also closes the connection (its body may be half-read)."""
    body = error_body(code, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def build_environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environ of a complete request (PEP 3333); the body is already de-chunked."""
    server = scope.get("server") or ("127.0.0.1", 80)
    client = scope.get("client") or ("", 0)
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]) if server[1] is not None else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name == "CONTENT_LENGTH" or name == "TRANSFER_ENCODING":
            continue  # the body is whole: its length is known
        if name == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        key = f"HTTP_{name}"
        if key in environ:
            value = environ[key] + ("; " if name == "COOKIE" else ",") + value
        environ[key] = value
    return environ


def run_wsgi(app: WsgiApp, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Call the WSGI app in this (worker) thread; its status, headers and whole body."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return lambda data: None  # write() is never used by Flask

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    raw_headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
    return int(status.split(" ", 1)[0]), raw_headers, body


class WsgiBridge:
    """An ASGI app that runs a WSGI app on complete requests, in a pool of threads."""

    def __init__(
        self, app: WsgiApp, *, max_body_bytes: int, body_seconds: float, threads: int
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_seconds = body_seconds
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here; gunicorn closes the connection
        too_large = (
            f"The request body is larger than {self.max_body_bytes} bytes "
            "(LINKINSPECTOR_MAX_PAGE_BYTES)."
        )
        declared = _content_length(scope["headers"])
        if declared is not None and declared > self.max_body_bytes:
            await send_error(send, 413, "request_entity_too_large", too_large)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_seconds
        body = bytearray()
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                await send_error(
                    send,
                    408,
                    "request_timeout",
                    f"The request body did not arrive within {self.body_seconds:g} s.",
                )
                return
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                await send_error(send, 413, "request_entity_too_large", too_large)
                return
            if not message.get("more_body"):
                break
        environ = build_environ(scope, bytes(body))
        del body
        try:
            status, headers, payload = await loop.run_in_executor(
                self.executor, run_wsgi, self.app, environ
            )
        except Exception:  # Flask renders its own errors; this is a bug in the bridge itself
            await send_error(
                send, 500, "internal_error", "The server failed to handle this request."
            )
            raise
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.executor.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return
