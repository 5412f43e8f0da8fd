"""What a fetch returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """An HTML page fetched from the web, decoded as a browser decodes it."""

    url: str  # final URL after redirects
    status: int  # final HTTP status (2xx only; others raise FetchError)
    headers: tuple[tuple[str, str], ...]
    html: str  # decoded text
    charset: str  # WHATWG name of the encoding used; pass to analyze(charset=...)
    redirects: tuple[str, ...]  # URLs visited before the final one


@dataclass(frozen=True, slots=True)
class FetchedText:
    """A text file fetched as it is (any media type), e.g. a robots.txt."""

    url: str  # final URL after redirects
    status: int  # final HTTP status (2xx only; others raise FetchError)
    headers: tuple[tuple[str, str], ...]
    body: bytes  # the raw bytes, cut at the fetch's max_bytes (the rest is not read)
    redirects: tuple[str, ...]  # URLs visited before the final one


class FetchError(Exception):
    """Why a page could not be fetched; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code  # bad_url | bad_scheme | blocked_address | dns | connect | timeout
        # | http_status | too_many_redirects | too_large | not_html | blocked_port
        self.message = message
        self.status = status  # the HTTP status, for 'http_status'

    def __repr__(self) -> str:
        return f"FetchError({self.code!r}, {self.message!r}, status={self.status!r})"
