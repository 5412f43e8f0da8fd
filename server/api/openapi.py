"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of this API (server/api/openapi.json)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


@cache
def openapi_document() -> dict[str, Any]:
    """The document, read once from the package data."""
    text = resources.files("server.api").joinpath("openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())
