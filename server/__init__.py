"""Link Inspector server: a pure analysis engine behind a thin Flask app."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then LINKINSPECTOR_* env vars (or test_config), then blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    # Keep the documented field order (page, links, summary...) instead of sorting keys.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.from_mapping(
        MAX_PAGE_BYTES=10 * 1024 * 1024,
        MAX_LINKS=100_000,
        API_TOKEN=None,
        DATABASE_URL=None,
        DATABASE_AUTO_UPGRADE=True,
        ALLOW_PRIVATE_FETCH=False,
    )
    if test_config is None:
        app.config.from_prefixed_env("LINKINSPECTOR")
    else:
        app.config.update(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_PAGE_BYTES"])
    os.makedirs(app.instance_path, exist_ok=True)

    # Imported here, as in Flask's tutorial, so `server.analysis` stays importable alone.
    from server import auth, cli, errors
    from server.api import analyze, backlinks, prospects
    from server.store import db

    errors.init_app(app)
    auth.init_app(app)
    db.init_app(app)
    cli.init_app(app)
    app.register_blueprint(analyze.bp)
    app.register_blueprint(prospects.bp)
    app.register_blueprint(backlinks.bp)
    return app
