"""The dashboard: server-rendered pages over the store (prospects, backlinks) at `/`, behind
the same token as the API (a login form and a session cookie), every form CSRF-protected."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

bp = Blueprint("dashboard", __name__, template_folder="templates")

# The pages run no script and load only our stylesheet: even if page data ever slipped past
# escaping, the browser would refuse to run it. No framing (clickjacking on the forms).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: with it Chromium sends `Origin: null` on the forms' own POSTs, which
    # the Origin guard (server.access) must refuse. Other sites get no Referer either way.
    "Referrer-Policy": "same-origin",
}


@bp.after_request
def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# The views register themselves on `bp` (Flask's pattern for a blueprint split in modules).
from server.dashboard import (  # noqa: E402
    backlinks,
    display,
    jobs,
    login,
    monitoring,
    prospects,
    session,
)


def init_app(app: Flask) -> None:
    """Cookie settings, the session signing key, template helpers, and the blueprint."""
    session.init_app(app)
    display.init_app(app)
    app.register_blueprint(bp)


__all__ = ["bp", "init_app", "backlinks", "jobs", "login", "monitoring", "prospects"]
