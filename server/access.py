"""Who may reach the server from a browser: the Host allowlist, the Origin policy and CORS.

Web pages the user visits can send requests to a server on 127.0.0.1. Two guards stop them:
- Host: a hostile site can point its own name at 127.0.0.1 (DNS rebinding) and then read
  the API as same-origin; its requests carry its own name in Host, which is not allowed.
- Origin: a page can still POST cross-origin without reading the answer (CSRF); browsers
  mark such requests with its Origin, and anything but an allowed extension or the server's
  own pages is refused before a view runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import Flask, current_app, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from server.config import ANY_EXTENSION_ORIGIN, serves_loopback_only, split_host
from server.errors import ApiError

OriginRule = str | re.Pattern[str]
DEFAULT_PORTS = {"http": "80", "https": "443"}


def extension_origin_rules(
    extension_origins: Sequence[str], allowed_hosts: Sequence[str]
) -> list[OriginRule]:
    """The origins allowed cross-origin: the configured ones, else any extension on loopback."""
    if extension_origins:
        return list(extension_origins)
    if serves_loopback_only(allowed_hosts):
        return [ANY_EXTENSION_ORIGIN]
    return []


def origin_matches(origin: str, rules: Sequence[OriginRule]) -> bool:
    origin = origin.lower()
    for rule in rules:
        if isinstance(rule, re.Pattern):
            if rule.fullmatch(origin):
                return True
        elif origin == rule:
            return True
    return False


def host_is_allowed(host: str, allowed_hosts: Sequence[str]) -> bool:
    """Match a Host header; an entry with a port must match exactly, one without any port."""
    name, port = split_host(host)
    if not name or (port is not None and not port.isdigit()):
        return False
    for entry in allowed_hosts:
        entry_name, entry_port = split_host(entry)
        if entry_name == name and (entry_port is None or entry_port == port):
            return True
    return False


def without_default_port(name: str, port: str | None, scheme: str | None = None) -> str:
    """`host:port` minus the scheme's default port (either default when the scheme is unknown)."""
    defaults = {DEFAULT_PORTS[scheme]} if scheme in DEFAULT_PORTS else set(DEFAULT_PORTS.values())
    return name if port is None or port in defaults else f"{name}:{port}"


def is_same_origin(origin: str, host: str) -> bool:
    """True when Origin names this server as the request reached it (its own dashboard pages).

    Only scheme-less host:port is compared: behind a TLS proxy the app sees http while the
    browser says https, and the Host guard has already vouched for the host itself.
    """
    scheme, sep, netloc = origin.lower().partition("://")
    if not sep or scheme not in DEFAULT_PORTS or not netloc or "/" in netloc:
        return False
    origin_name, origin_port = split_host(netloc)
    host_name, host_port = split_host(host)
    return without_default_port(origin_name, origin_port, scheme) == without_default_port(
        host_name, host_port
    )


def refuse_unknown_host() -> None:
    if not host_is_allowed(request.host, current_app.config["ALLOWED_HOSTS"]):
        raise ApiError(
            421,
            "misdirected_host",
            "This server does not answer to that Host name; add it to "
            "LINKINSPECTOR_ALLOWED_HOSTS if it is really this server's name.",
        )


def refuse_foreign_origin() -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return  # not sent by a browser on another site's behalf (curl, same-origin GET)
    if origin_matches(origin, current_app.extensions["linkinspector.origin_rules"]):
        return
    if is_same_origin(origin, request.host):
        return
    raise ApiError(
        403,
        "forbidden_origin",
        "Requests from web pages are refused; only the Link Inspector extension "
        "(LINKINSPECTOR_EXTENSION_ORIGINS) and this server's own pages may call it.",
    )


def init_app(app: Flask) -> None:
    """Install the proxy fix, the Host and Origin guards, and CORS for the allowed extensions."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    rules = extension_origin_rules(app.config["EXTENSION_ORIGINS"], app.config["ALLOWED_HOSTS"])
    app.extensions["linkinspector.origin_rules"] = rules
    app.before_request(refuse_unknown_host)
    app.before_request(refuse_foreign_origin)
    CORS(
        app,
        resources={r"/api/*": {"origins": rules}},
        allow_headers=["Authorization", "Content-Type"],
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        expose_headers=["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"],
        max_age=600,
        supports_credentials=False,
        vary_header=True,
        always_send=False,
    )
