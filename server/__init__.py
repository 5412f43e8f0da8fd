"""Link Inspector server: a pure analysis engine behind a thin Flask app."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then LINKINSPECTOR_* env vars (or test_config), then blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        MAX_PAGE_BYTES=10 * 1024 * 1024,
        MAX_LINKS=10_000,
        API_TOKEN=None,
    )
    if test_config is None:
        app.config.from_prefixed_env("LINKINSPECTOR")
    else:
        app.config.update(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_PAGE_BYTES"])
    os.makedirs(app.instance_path, exist_ok=True)

    # Imported here, as in Flask's tutorial, so `server.analysis` stays importable alone.
    from server import auth, errors
    from server.api import analyze, openapi

    errors.init_app(app)
    auth.init_app(app)
    app.register_blueprint(analyze.bp)
    app.register_blueprint(openapi.bp)
    return app
