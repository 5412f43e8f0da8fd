"""Destinations hidden in redirect wrappers (google.com/url?q=, ?url=, ?u=, ?redirect=...)."""

from __future__ import annotations

import ada_url

_GENERIC_PARAMS = (
    "url",
    "u",
    "redirect",
    "redirect_url",
    "redirect_uri",
    "redirect_to",
    "redirecturl",
    "dest",
    "destination",
    "goto",
    "out",
    "to",
    "target",
    "link",
    "r",
)


def _is_google(host: str) -> bool:
    labels = host.split(".")
    return "google" in labels[-3:-1] or host == "google.com"


def redirect_target(host: str, pathname: str, search: str) -> str | None:
    """The absolute http(s) URL a wrapper link forwards to, or None."""
    if len(search) < 8 or "http" not in search.lower():
        return None
    params = ada_url.parse_search_params(search)
    names: tuple[str, ...] = _GENERIC_PARAMS
    if _is_google(host) and pathname == "/url":
        names = ("q", "url")
    for name in names:
        for value in params.get(name, ()):
            candidate = value.strip()
            if not candidate.lower().startswith(("http://", "https://")):
                continue
            try:
                return str(ada_url.URL(candidate).href)
            except ValueError:
                continue
    return None
