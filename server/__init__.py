"""Link Inspector server: a pure analysis engine behind a thin Flask app."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then LINKINSPECTOR_* env vars (or test_config), then blueprints."""
    # Imported here, as in Flask's tutorial, so `server.analysis` stays importable alone.
    from server import (
        access,
        access_log,
        auth,
        body_size,
        bounded,
        cli,
        config,
        dashboard,
        errors,
        jobs,
        json_provider,
        rate_limit,
    )
    from server.api import analyze, backlinks, monitoring, openapi, prospects
    from server.api import jobs as jobs_api
    from server.store import db

    app = Flask(__name__, instance_relative_config=True)
    # Keeps the documented field order (page, links, summary...): orjson never sorts keys.
    app.json = json_provider.OrjsonProvider(app)
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("LINKINSPECTOR", loads=config.parse_env_value)
    else:
        app.config.update(test_config)
    config.normalise(app.config)
    bounded.configure(bounded.budget_from(app.config))
    os.makedirs(app.instance_path, exist_ok=True)

    errors.init_app(app)
    # Order matters: log every request, refuse foreign Hosts and Origins, count the request
    # against the rate limit, check the token, and only then read a body of unknown length.
    access_log.init_app(app)
    access.init_app(app)
    rate_limit.init_app(app)
    auth.init_app(app)
    body_size.init_app(app)
    db.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    app.register_blueprint(analyze.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(prospects.bp)
    app.register_blueprint(backlinks.bp)
    app.register_blueprint(monitoring.bp)
    app.register_blueprint(jobs_api.bp)
    dashboard.init_app(app)
    return app
