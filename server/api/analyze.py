"""POST /api/v1/analyze and GET /api/v1/health."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from server.api.payload import analyze_page_request, read_page_request

bp = Blueprint("analyze", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok", "service": "link-inspector", "api": "v1"})


@bp.post("/analyze")
def analyze() -> ResponseReturnValue:
    result = analyze_page_request(read_page_request(request))
    body: dict[str, Any] = result.to_json()
    return jsonify(body)
