"""The API token: `Authorization: Bearer <token>` on every API route but health."""

from __future__ import annotations

import hmac

from flask import Flask, current_app, request

from server.errors import ApiError

PUBLIC_PATHS = frozenset({"/api/v1/health"})


def token_is_valid(given: str, expected: str) -> bool:
    """Constant-time comparison, so response timing does not leak the token."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def require_api_token() -> None:
    expected = current_app.config.get("API_TOKEN")
    if not expected or request.method == "OPTIONS":
        return
    if not request.path.startswith("/api/") or request.path in PUBLIC_PATHS:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_is_valid(given.strip(), str(expected)):
        raise ApiError(
            401, "unauthorized", "Missing or wrong API token: send 'Authorization: Bearer <token>'."
        )


def init_app(app: Flask) -> None:
    app.before_request(require_api_token)
