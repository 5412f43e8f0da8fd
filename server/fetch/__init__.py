"""The one network client of the server: fetch a web page, SSRF-safe.

http and https only; the host is resolved once and every address must be public (unless
`allow_private`); the connection goes to the address that was checked; every redirect hop
is checked again; time and size are bounded; the bytes are decoded as a browser would."""

from __future__ import annotations

from server.fetch.client import fetch
from server.fetch.model import FetchedPage, FetchedText, FetchError

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchError",
    "FetchedPage",
    "FetchedText",
    "fetch_page",
    "fetch_text",
]

DEFAULT_USER_AGENT = "LinkInspector/0.1 (+self-hosted backlink checker)"


def fetch_page(
    url: str,
    *,
    allow_private: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 15.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
) -> FetchedPage:
    """GET the HTML page at `url`; raises FetchError (see its `code`) for anything else."""
    page = fetch(
        url,
        allow_private=allow_private,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        user_agent=user_agent,
    )
    assert isinstance(page, FetchedPage)
    return page


def fetch_text(
    url: str,
    *,
    allow_private: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 15.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
) -> FetchedText:
    """GET the file at `url` whatever its type, keeping its first `max_bytes` bytes (a robots.txt
    is read up to a limit, not refused past it); raises FetchError for non-2xx and the rest."""
    text = fetch(
        url,
        allow_private=allow_private,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        user_agent=user_agent,
        text_file=True,
    )
    assert isinstance(text, FetchedText)
    return text
