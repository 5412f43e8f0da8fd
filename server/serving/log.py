"""gunicorn's error log, kept to what the README's privacy section promises.

gunicorn writes its own lines (start, stop, worker restarts) and, for requests it cannot parse
or errors it catches, messages that can quote the client's address, the request line with its
query string, or an exception message holding either. Every line goes through `scrub`: no IP
address, no request target, no exception message (tracebacks keep their frames only). The
address gunicorn listens on is the server's own and is kept in the "Listening at" line.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from gunicorn.glogging import Logger

_METHODS = "GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE"
_REQUEST_TARGET = re.compile(rf"\b({_METHODS})\s+\S+")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"\[?(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])\]?")
_QUERY = re.compile(r"\?\S*")
_KEEP = ("Listening at",)


def scrub(text: str) -> str:
    """`text` without client addresses, request targets or query strings."""
    text = _REQUEST_TARGET.sub(r"\1 <target>", text)
    text = _QUERY.sub("?<query>", text)
    text = _IPV6.sub("<address>", text)
    return _IPV4.sub("<address>", text)


class ScrubFilter(logging.Filter):
    """Rewrites each record in place: message scrubbed, exceptions reduced to type and frames."""

    def filter(self, record: logging.LogRecord) -> bool:
        template = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = "".join(traceback.format_tb(exc.__traceback__))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{type(exc).__name__}"
            record.exc_info = None
        if template.startswith(_KEEP):
            return True
        args: Any = record.args
        if isinstance(args, tuple):
            args = tuple(type(a).__name__ if isinstance(a, BaseException) else a for a in args)
        try:
            message = template % args if args else template
        except (TypeError, ValueError):
            message = template
        record.msg = scrub(message)
        record.args = ()
        return True


class PrivateLogger(Logger):
    """gunicorn's logger with `ScrubFilter` on the error log (the access log stays off)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, ScrubFilter) for f in self.error_log.filters):
            self.error_log.addFilter(ScrubFilter())
