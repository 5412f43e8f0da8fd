"""Rendering a page in headless Chromium, for backlink checks whose link is not in the
served HTML: Debian's `chromium` driven by Playwright (`executable_path`; nothing is ever
downloaded), a bounded pool of pages, a hard time limit per page, and every request the
page makes fetched by the server's own client (server/fetch) under its SSRF rules — Chromium
itself can reach nothing (see network.py).

`get_renderer(settings).render(url, served_html, headers)` returns the live DOM (shadow
roots serialised, as the extension reads it) and every link with whether it is visible;
RenderError says why not (no Chromium installed, time limit, a crash)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "RenderError",
    "RenderSettings",
    "RenderedPage",
    "find_chromium",
    "get_renderer",
]


class RenderError(Exception):
    """Why a page could not be rendered; `code`: unavailable | timeout | failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RenderedPage:
    url: str
    html: str  # the live DOM, shadow roots as declarative shadow DOM
    live_links: tuple[tuple[str, bool], ...]  # (a.href, hidden) in shadow-including order
    requests: int  # requests the page made, each fetched by server/fetch
    refused: int  # of which refused: private addresses, other schemes, over the budget
    ms: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RenderSettings:
    chromium: str | None  # the executable; None: not installed
    pages: int  # pages rendered at once (one browser, a context each)
    timeout: float  # seconds a page may take, everything included
    allow_private: bool
    max_requests: int = 150  # requests one page may make
    max_bytes: int = 20 * 1024 * 1024  # bytes one page may download, all requests together
    recycle_after: int = 200  # pages before the browser is restarted (bounds its memory)
    # Seconds without a page before the browser is closed: a web process that rendered one
    # "Check now" soon gives Chromium's memory back (every web process could otherwise hold
    # a browser of ~500 MB), and so does an idle worker, which renders most and keeps it
    # longer (RENDER_IDLE_CLOSE, set by the worker).
    idle_close: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RenderSettings:
        from server.monitor.settings import private_fetch_allowed

        return cls(
            chromium=find_chromium(config.get("CHROMIUM_PATH")),
            pages=int(config.get("RENDER_PAGES", 2)),
            timeout=float(config.get("RENDER_TIMEOUT", 20)),
            allow_private=private_fetch_allowed(config),
            idle_close=float(config.get("RENDER_IDLE_CLOSE", 10.0)),
        )


def find_chromium(configured: str | None) -> str | None:
    """The Chromium to drive: the configured path, else `chromium` on PATH (Debian's
    /usr/bin/chromium); None when there is none."""
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


_LOCK = threading.Lock()
_RENDERERS: dict[RenderSettings, Any] = {}


def get_renderer(settings: RenderSettings) -> Any:
    """The process's renderer for these settings (started on its first page)."""
    from server.render.browser import Renderer

    with _LOCK:
        renderer = _RENDERERS.get(settings)
        if renderer is None:
            renderer = _RENDERERS[settings] = Renderer(settings)
        return renderer
