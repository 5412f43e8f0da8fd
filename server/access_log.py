"""The access log: one JSON line per request with method, route, status, duration and size.

Privacy: the line names the route rule (`/api/v1/analyze`), never the raw path or query
string, and nothing from the body: no page HTML, URL or anchor text is ever logged.
Client addresses are not logged either.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

logger = logging.getLogger("server.access")


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is when a line is logged (gunicorn and pytest swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stdout

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def access_record(response: Response, duration_ms: float) -> dict[str, object]:
    """The fields of one access log line."""
    rule = request.url_rule
    return {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": request.method,
        "route": rule.rule if rule is not None else None,
        "status": response.status_code,
        "duration_ms": round(duration_ms, 2),
        "bytes": response.content_length,
    }


def start_timer() -> None:
    g.access_started = time.perf_counter()


def log_request(response: Response) -> Response:
    started = g.get("access_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    logger.info(json.dumps(access_record(response, duration_ms), separators=(",", ":")))
    return response


def init_app(app: Flask) -> None:
    """Log every request as a JSON line on stdout (unless ACCESS_LOG is false).

    Call before the other init_app functions: its after_request hook then runs last and
    sees the final status, including errors raised by the guards.
    """
    if not app.config["ACCESS_LOG"]:
        return
    if not any(isinstance(handler, StdoutHandler) for handler in logger.handlers):
        handler = StdoutHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the lines are the output; do not repeat them via the root logger
    app.before_request(start_timer)
    app.after_request(log_request)
