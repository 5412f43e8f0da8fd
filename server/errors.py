"""One exception for API errors and the handlers that render every error as JSON (under
/api/) or as a small HTML page (the dashboard and any other path)."""

from __future__ import annotations

import traceback

from flask import Flask, Response, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from server.bounded import AnalysisBusy, PageTooComplex


class ApiError(Exception):
    """An error the client caused (or must know about), rendered as JSON."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> Response:
    """The error as this request's client reads it: JSON under /api/, else an HTML page."""
    if wants_html():
        return error_page(status, message)
    return json_error(status, code, message)


def json_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def wants_html() -> bool:
    """Dashboard pages (every path outside /api/) get HTML error pages; the API keeps JSON."""
    return not request.path.startswith("/api/")


def error_page(status: int, message: str) -> Response:
    try:
        body = render_template("dashboard/error.html", status=status, message=message)
    except Exception:  # the error page must not fail in turn (e.g. a broken template)
        body = f"<!doctype html><title>Error {status}</title><p>{escape(message)}</p>"
    return Response(body, status=status, mimetype="text/html")


def _http_code(exc: HTTPException) -> str:
    name = exc.name or "error"
    return name.lower().replace(" ", "_").replace("'", "")


def init_app(app: Flask) -> None:
    """Register handlers so no error ever reaches the client as HTML or a traceback."""

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(PageTooComplex)
    def handle_too_complex(exc: PageTooComplex) -> Response:
        return error_response(422, "page_too_complex", exc.message)

    @app.errorhandler(AnalysisBusy)
    def handle_busy(exc: AnalysisBusy) -> Response:
        response = error_response(503, "analysis_busy", str(exc))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> Response:
        response = error_response(exc.code or 500, _http_code(exc), exc.description or exc.name)
        for name, value in exc.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        # The traceback without the exception's message: messages can quote page data.
        rule = request.url_rule.rule if request.url_rule is not None else None
        frames = "".join(traceback.format_tb(exc.__traceback__))
        app.logger.error("unhandled %s on %s\n%s", type(exc).__name__, rule, frames)
        return error_response(500, "internal_error", "The server failed to handle this request.")
