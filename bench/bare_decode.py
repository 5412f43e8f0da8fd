"""A bench-only Flask app whose one route only decodes the JSON body: the framework's ceiling.

`bench/load.py` serves it with the same gunicorn settings as the real server and reports the
analyze endpoint's requests/s as a ratio to this one. It is never part of the shipped server.
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024

    @app.post("/api/v1/analyze")
    def decode_only() -> ResponseReturnValue:
        data = request.get_json()
        return jsonify({"url": data.get("url"), "html_chars": len(data.get("html") or "")})

    return app
