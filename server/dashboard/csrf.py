"""CSRF protection for the dashboard's forms: a random token kept in the session, sent back
in a hidden field of every form, and checked on every state-changing request."""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"
_SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """This session's token (created on first use), for a hidden form field."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def new_csrf_token() -> None:
    """Forget the old token (after login / logout) so a token seen before is worthless."""
    session.pop(_SESSION_KEY, None)


def check_csrf() -> None:
    """Abort with 400 unless a state-changing request carries this session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get(_SESSION_KEY)
    given = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not expected:
        abort(400, "This form has expired (no session). Reload the page and try again.")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
        abort(400, "This form's security token is missing or wrong. Reload the page and try again.")
