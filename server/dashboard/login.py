"""Logging in to the dashboard: with `API_TOKEN` set, the password is the token and a signed
session cookie remembers it; with no token (the loopback default) there is no login.

A signed cookie is valid wherever it is copied, so each login also gets a random id, kept in
the cookie and (hashed) in the database: logging out deletes it, and a new API token no longer
matches the cookie's fingerprint, so either way an old copy of the cookie stops working."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import delete

from server.auth import token_is_valid
from server.dashboard import bp
from server.dashboard.csrf import check_csrf, new_csrf_token
from server.store.db import get_session
from server.store.models import DashboardLogin, utcnow

_LOGIN_LABEL = b"link-inspector dashboard login v1"
_SESSION_KEY = "login"
_LOGIN_ID_KEY = "login_id"
OPEN_ENDPOINTS = frozenset({"dashboard.login"})


def configured_token() -> str | None:
    token = current_app.config.get("API_TOKEN")
    return str(token) if token else None


def _fingerprint(token: str) -> str:
    """What the session keeps: proof the token was given, not the token, and tied to it so a
    new token logs every session out even with a fixed SECRET_KEY."""
    return hmac.new(token.encode("utf-8"), _LOGIN_LABEL, hashlib.sha256).hexdigest()


def _id_hash(login_id: str) -> str:
    return hashlib.sha256(login_id.encode("utf-8")).hexdigest()


def is_logged_in() -> bool:
    token = configured_token()
    if token is None:
        return True
    if "dashboard_logged_in" not in g:
        given = session.get(_SESSION_KEY)
        login_id = session.get(_LOGIN_ID_KEY)
        g.dashboard_logged_in = (
            isinstance(given, str)
            and hmac.compare_digest(given, _fingerprint(token))
            and isinstance(login_id, str)
            and _login_is_live(login_id)
        )
    return bool(g.dashboard_logged_in)


def _login_is_live(login_id: str) -> bool:
    row = get_session().get(DashboardLogin, _id_hash(login_id))
    return row is not None and row.expires_at > utcnow()


def _record_login() -> str:
    """A new login id, stored (hashed) until the session cookie would expire."""
    login_id = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime: timedelta = current_app.permanent_session_lifetime
    db = get_session()
    db.execute(delete(DashboardLogin).where(DashboardLogin.expires_at <= now))
    db.add(DashboardLogin(id_hash=_id_hash(login_id), created_at=now, expires_at=now + lifetime))
    db.commit()
    return login_id


def _forget_login() -> None:
    login_id = session.get(_LOGIN_ID_KEY)
    if isinstance(login_id, str):
        db = get_session()
        db.execute(delete(DashboardLogin).where(DashboardLogin.id_hash == _id_hash(login_id)))
        db.commit()


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return None
    return target


@bp.before_request
def guard() -> ResponseReturnValue | None:
    """Every dashboard request: logged in (when a token is set), and every POST carries the
    session's CSRF token."""
    if request.endpoint not in OPEN_ENDPOINTS and not is_logged_in():
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("dashboard.login", next=wanted))
    check_csrf()
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    token = configured_token()
    target = local_path(request.values.get("next")) or url_for("dashboard.prospects")
    if token is None:
        return redirect(target)
    if request.method == "POST":
        if token_is_valid(request.form.get("password", ""), token):
            _forget_login()  # a login over a live one replaces it
            session.clear()
            session[_SESSION_KEY] = _fingerprint(token)
            session[_LOGIN_ID_KEY] = _record_login()
            g.pop("dashboard_logged_in", None)
            session.permanent = True
            new_csrf_token()
            return redirect(target, 303)
        flash("Wrong token. The password is the server's API token.", "error")
        return render_template("dashboard/login.html", next=target), 401
    if is_logged_in():
        return redirect(target)
    return render_template("dashboard/login.html", next=target)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    _forget_login()
    session.clear()
    g.pop("dashboard_logged_in", None)
    flash("Logged out.", "ok")
    return redirect(url_for("dashboard.login"), 303)


@bp.app_context_processor
def login_state() -> dict[str, bool]:
    """Whether the page shows the navigation, and a "Log out" button (token and login)."""
    logged_in = is_logged_in()
    return {"logged_in": logged_in, "can_log_out": logged_in and configured_token() is not None}
