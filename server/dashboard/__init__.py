"""The dashboard: server-rendered pages over the store (prospects, backlinks) at `/`, behind
the same token as the API (a login form and a session cookie), every form CSRF-protected."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("dashboard", __name__, template_folder="templates")

# The views register themselves on `bp` (Flask's pattern for a blueprint split in modules).
from server.dashboard import backlinks, display, login, prospects, session  # noqa: E402


def init_app(app: Flask) -> None:
    """Cookie settings, the session signing key, template helpers, and the blueprint."""
    session.init_app(app)
    display.init_app(app)
    app.register_blueprint(bp)


__all__ = ["bp", "init_app", "backlinks", "login", "prospects"]
