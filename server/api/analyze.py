"""POST /api/v1/analyze and GET /api/v1/health."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from server.analysis import InvalidSite
from server.analysis import analyze as run_analysis
from server.api.payload import read_page_request
from server.errors import ApiError

bp = Blueprint("analyze", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok", "service": "link-inspector", "api": "v1"})


@bp.post("/analyze")
def analyze() -> ResponseReturnValue:
    page = read_page_request(request)
    try:
        result = run_analysis(
            page.html,
            page.url,
            sites=page.sites,
            competitors=page.competitors,
            charset=page.charset,
            headers=page.headers,
            max_links=int(current_app.config["MAX_LINKS"]),
        )
    except InvalidSite as exc:
        raise ApiError(400, "invalid_site", str(exc)) from None
    body: dict[str, Any] = result.to_json()
    return jsonify(body)
