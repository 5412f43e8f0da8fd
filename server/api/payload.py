"""Validation of the JSON page payload shared by the analyze and prospects endpoints."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import ada_url
from flask import Request, current_app

from server.analysis import Analysis, FrameDocument, InvalidSite, Link
from server.api.robots_txt import robots_txt_alongside
from server.bounded import analyze  # the engine in a child process, within its budget
from server.errors import ApiError

MAX_SITE_ENTRIES = 200
MAX_HEADER_ENTRIES = 200
MAX_FRAMES = 100
# A document's live links: the link cap bounds what is analysed, not what a page holds.
MAX_LIVE_LINKS = 500_000
_FRAME_SCHEMES = ("http:", "https:")
_FRAME_ABOUT = ("about:srcdoc", "about:blank")


@dataclass(frozen=True, slots=True)
class PageRequest:
    url: str
    html: str
    sites: tuple[str, ...]
    competitors: tuple[str, ...]
    charset: str | None
    headers: tuple[tuple[str, str], ...]
    served_html: str | None = None
    live_links: tuple[tuple[str, bool], ...] | None = None
    frames: tuple[FrameDocument, ...] = ()
    # The answer's links as arrays of these fields (see link_fields), or None: objects.
    link_fields: tuple[str, ...] | None = None


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


def _charset(value: Any, where: str = "") -> str | None:
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "invalid_charset", f"'{where}charset' must be a string.")
    return value or None


def _optional_html(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ApiError(400, f"invalid_{field}", f"'{field}' must be a string or null.")
    return value


def _live_links(value: Any, where: str = "") -> tuple[tuple[str, bool], ...] | None:
    """`[{"href": str, "hidden": bool}, ...]`: what the live DOM says of each link."""
    if value is None:
        return None
    message = f'\'{where}live_links\' must be a list of {{"href": string, "hidden": boolean}}.'
    if not isinstance(value, list) or len(value) > MAX_LIVE_LINKS:
        raise ApiError(400, "invalid_live_links", message)
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ApiError(400, "invalid_live_links", message)
        href, hidden = item.get("href"), item.get("hidden")
        if not isinstance(href, str) or not isinstance(hidden, bool):
            raise ApiError(400, "invalid_live_links", message)
        out.append((href, hidden))
    return tuple(out)


def _frame_url(value: Any, where: str) -> str:
    if isinstance(value, str) and value in _FRAME_ABOUT:
        return value
    if not isinstance(value, str):
        raise ApiError(400, "invalid_frames", f"'{where}url' must be a string.")
    try:
        parsed = ada_url.URL(value)
    except ValueError:
        raise ApiError(400, "invalid_frames", f"'{where}url' is not a valid URL.") from None
    if parsed.protocol not in _FRAME_SCHEMES:
        raise ApiError(
            400, "invalid_frames", f"'{where}url' must be http(s), about:srcdoc or about:blank."
        )
    return parsed.href


def _frames(value: Any) -> tuple[FrameDocument, ...]:
    """Each frame document read with the page, pre-order, each naming its parent frame."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_FRAMES:
        raise ApiError(
            400, "invalid_frames", f"'frames' must be a list of at most {MAX_FRAMES} objects."
        )
    frames = []
    for number, item in enumerate(value):
        where = f"frames[{number}]."
        if not isinstance(item, dict):
            raise ApiError(400, "invalid_frames", f"'frames[{number}]' must be an object.")
        html = item.get("html")
        if not isinstance(html, str):
            raise ApiError(400, "invalid_frames", f"'{where}html' must be a string.")
        parent = item.get("parent")
        if parent is not None and (
            not isinstance(parent, int) or isinstance(parent, bool) or not 0 <= parent < number
        ):
            raise ApiError(
                400,
                "invalid_frames",
                f"'{where}parent' must be null (the page) or the index of an earlier frame.",
            )
        frames.append(
            FrameDocument(
                url=_frame_url(item.get("url"), where),
                html=html,
                charset=_charset(item.get("charset"), where),
                headers=_headers(item.get("headers")),
                served_html=_optional_html(item.get("served_html"), "served_html"),
                live_links=_live_links(item.get("live_links"), where),
                parent=parent,
            )
        )
    return tuple(frames)


def read_page_request(request: Request) -> PageRequest:
    """Validate `{"url", "html", "sites"?, "competitors"?, "charset"?, "headers"?,
    "served_html"?, "live_links"?, "frames"?}`."""
    data = read_json_object(request)
    url = require_page_url(data.get("url"))
    html = data.get("html")
    if not isinstance(html, str):
        raise ApiError(400, "invalid_html", "'html' must be a string.")
    return PageRequest(
        url=url,
        html=html,
        sites=string_list(data, "sites"),
        competitors=string_list(data, "competitors"),
        charset=_charset(data.get("charset")),
        headers=_headers(data.get("headers")),
        served_html=_optional_html(data.get("served_html"), "served_html"),
        live_links=_live_links(data.get("live_links")),
        frames=_frames(data.get("frames")),
        link_fields=link_fields(data.get("link_fields")),
    )


# Every field a link has, in the order of its JSON object.
LINK_FIELDS = tuple(field.name for field in dataclasses.fields(Link))
MAX_LINK_FIELDS = 100


def link_fields(value: Any) -> tuple[str, ...] | None:
    """`link_fields`: the link fields a client wants, as arrays in that order (a smaller,
    faster answer for thousands of links). Names this server does not know are left out, so a
    newer client still works with it; the answer says which fields it holds."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, "invalid_link_fields", "'link_fields' must be a list of field names.")
    if len(value) > MAX_LINK_FIELDS:
        raise ApiError(
            400, "invalid_link_fields", f"'link_fields' takes at most {MAX_LINK_FIELDS} names."
        )
    known = set(LINK_FIELDS)
    return tuple(dict.fromkeys(v for v in value if v in known))


def analyze_page_request(page: PageRequest) -> Analysis:
    """Run the engine on a validated payload, within the configured link cap, while the
    robots.txt verdicts of the page and its frames are fetched beside it."""
    documents = (page.url, *(frame.url for frame in page.frames))
    with robots_txt_alongside(current_app.config, documents) as robots_txt:
        return robots_txt.applied_to(_analyze(page))


def _analyze(page: PageRequest) -> Analysis:
    try:
        return analyze(
            page.html,
            page.url,
            sites=page.sites,
            competitors=page.competitors,
            charset=page.charset,
            headers=page.headers,
            max_links=int(current_app.config["MAX_LINKS"]),
            served_html=page.served_html,
            live_links=page.live_links,
            frames=page.frames,
        )
    except InvalidSite as exc:
        raise ApiError(400, "invalid_site", str(exc)) from None
