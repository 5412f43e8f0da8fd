"""Request bodies over MAX_PAGE_BYTES are refused with 413, whether or not they say their length."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import ApiError, error_response


def refuse_oversized_chunked_body() -> None:
    """Read a chunked body (no Content-Length) now, one byte past the limit, and refuse it if over.

    (Under gunicorn the worker de-chunks the body before the app sees it, and answers a
    malformed one itself with a JSON 400; this path serves other WSGI servers.)
    Werkzeug stops reading a length-less body at MAX_CONTENT_LENGTH and hands back the
    truncated bytes without an error; a truncated page must be a 413, not a parse error.
    A body with Content-Length is checked by Werkzeug itself before anything is read.
    """
    if (
        request.content_length is not None
        or "chunked" not in request.headers.get("Transfer-Encoding", "").lower()
    ):
        return
    limit = int(current_app.config["MAX_PAGE_BYTES"])
    request.max_content_length = limit + 1
    try:
        data = request.get_data(cache=True)
    except (OSError, ValueError):  # a chunk size that is not hex, a chunk cut short...
        raise ApiError(
            400, "invalid_body", "The request body is not valid chunked transfer encoding."
        ) from None
    if len(data) > limit:
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    app.before_request(refuse_oversized_chunked_body)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response:
        return error_response(
            413,
            "request_entity_too_large",
            f"The request body is larger than {app.config['MAX_PAGE_BYTES']} bytes "
            "(LINKINSPECTOR_MAX_PAGE_BYTES).",
        )
