"""The dashboard's session cookie: its settings and its signing key.

The key must be the same in every gunicorn worker and survive restarts, so it is never a
per-process random value: `SECRET_KEY` if configured, else derived from `API_TOKEN` (changing
the token logs everyone out), else a random key created once and kept in the instance folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

KEY_FILE = "dashboard-secret-key"
_TOKEN_KEY_LABEL = b"link-inspector dashboard session key v1"


def key_from_token(token: str) -> str:
    """A signing key derived from the API token (HMAC with a fixed label)."""
    return hmac.new(token.encode("utf-8"), _TOKEN_KEY_LABEL, hashlib.sha256).hexdigest()


def instance_key(instance_path: str) -> str:
    """The random key kept in the instance folder, created by the first process to need it."""
    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, path)  # atomic: the first worker's key wins, the others read it
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it to make a new one.")
    return key


def signing_key(app: Flask) -> str:
    configured = app.config.get("SECRET_KEY")
    if configured:
        return str(configured)
    token = app.config.get("API_TOKEN")
    if token:
        return key_from_token(str(token))
    return instance_key(app.instance_path)


class DashboardSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the key chosen on first use (when the instance
    folder and config are final)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            app.secret_key = signing_key(app)
        return super().get_signing_serializer(app)


def init_app(app: Flask) -> None:
    if app.config["SESSION_COOKIE_NAME"] == "session":  # Flask's default name, not ours
        # Cookies are per host, not per port: another Flask app on 127.0.0.1 uses "session".
        app.config["SESSION_COOKIE_NAME"] = "linkinspector_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = DashboardSessionInterface()
