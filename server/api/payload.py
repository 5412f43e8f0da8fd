"""Validation of the JSON page payload shared by the analyze and prospects endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ada_url
from flask import Request, current_app

from server.analysis import Analysis, InvalidSite
from server.bounded import analyze  # the engine in a child process, within its budget
from server.errors import ApiError

MAX_SITE_ENTRIES = 200
MAX_HEADER_ENTRIES = 200


@dataclass(frozen=True, slots=True)
class PageRequest:
    url: str
    html: str
    sites: tuple[str, ...]
    competitors: tuple[str, ...]
    charset: str | None
    headers: tuple[tuple[str, str], ...]


def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or an ApiError saying why not."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # json.loads recurses once per nesting level: [[[[...]]]]
        data = None
    if data is None:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    return data


def require_page_url(value: Any, field: str = "url") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "invalid_url", f"'{field}' must be an absolute http(s) URL.")
    try:
        parsed = ada_url.URL(value)
    except ValueError:
        raise ApiError(400, "invalid_url", f"'{field}' is not a valid absolute URL.") from None
    if parsed.protocol not in ("http:", "https:"):
        raise ApiError(400, "invalid_url", f"'{field}' must use http or https.")
    return parsed.href


def string_list(data: dict[str, Any], field: str) -> tuple[str, ...]:
    value = data.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, f"invalid_{field}", f"'{field}' must be a list of strings.")
    if len(value) > MAX_SITE_ENTRIES:
        raise ApiError(
            400, f"invalid_{field}", f"'{field}' takes at most {MAX_SITE_ENTRIES} entries."
        )
    return tuple(v for v in value if v.strip())


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    pairs: list[Any]
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = value
    else:
        raise ApiError(400, "invalid_headers", "'headers' must be an object or a list of pairs.")
    if len(pairs) > MAX_HEADER_ENTRIES:
        raise ApiError(400, "invalid_headers", "'headers' has too many entries.")
    out = []
    for pair in pairs:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(p, str) for p in pair)
        ):
            raise ApiError(400, "invalid_headers", "Each header must be a name and a string value.")
        out.append((pair[0], pair[1]))
    return tuple(out)


def read_page_request(request: Request) -> PageRequest:
    """Validate `{"url", "html", "sites"?, "competitors"?, "charset"?, "headers"?}`."""
    data = read_json_object(request)
    url = require_page_url(data.get("url"))
    html = data.get("html")
    if not isinstance(html, str):
        raise ApiError(400, "invalid_html", "'html' must be a string.")
    charset = data.get("charset")
    if charset is not None and not isinstance(charset, str):
        raise ApiError(400, "invalid_charset", "'charset' must be a string.")
    return PageRequest(
        url=url,
        html=html,
        sites=string_list(data, "sites"),
        competitors=string_list(data, "competitors"),
        charset=charset or None,
        headers=_headers(data.get("headers")),
    )


def analyze_page_request(page: PageRequest) -> Analysis:
    """Run the engine on a validated payload, within the configured link cap."""
    try:
        return analyze(
            page.html,
            page.url,
            sites=page.sites,
            competitors=page.competitors,
            charset=page.charset,
            headers=page.headers,
            max_links=int(current_app.config["MAX_LINKS"]),
        )
    except InvalidSite as exc:
        raise ApiError(400, "invalid_site", str(exc)) from None
