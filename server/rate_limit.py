"""Rate limiting: one budget per client address shared by every route but health (Flask-Limiter)."""

from __future__ import annotations

import os

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from server.auth import PUBLIC_PATHS
from server.errors import error_response
from server.rate_counts import SCHEME


def is_exempt() -> bool:
    """Health checks and CORS preflights do not spend the client's budget.

    (Flask-Limiter itself never counts static files or unrouted paths.)
    """
    return request.method == "OPTIONS" or request.path in PUBLIC_PATHS


def init_app(app: Flask) -> Limiter:
    """Attach a Limiter built from RATE_LIMIT and RATELIMIT_STORAGE_URI; 429s carry Retry-After.

    The client address is the socket's peer, or X-Forwarded-For's when TRUSTED_PROXIES is set
    (see server.access). By default the counts live in a SQLite file in the instance folder,
    which every worker of the server shares (server.rate_counts).
    """
    storage_uri = app.config["RATELIMIT_STORAGE_URI"] or (
        f"{SCHEME}:///{os.path.join(app.instance_path, 'rate-limits.sqlite3').lstrip('/')}"
    )
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[app.config["RATE_LIMIT"]],
        application_limits_exempt_when=is_exempt,
        storage_uri=storage_uri,
        headers_enabled=True,
        key_prefix="linkinspector",
        # If Redis is unreachable, count in this process rather than fail every request.
        in_memory_fallback_enabled=True,
    )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded) -> Response:
        # The limiter's after_request hook adds Retry-After and X-RateLimit-* to this response.
        return error_response(
            429,
            "too_many_requests",
            f"Rate limit of {exc.description} exceeded; retry after Retry-After seconds.",
        )

    return limiter
