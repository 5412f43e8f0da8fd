"""Every request a rendered page makes goes through here (Playwright route interception)
and is fetched by the server's own client, `server/fetch/probe.py`: the same scheme, port
and address rules as every other fetch (no loopback, private or link-local address unless
ALLOW_PRIVATE_FETCH; the address checked is the one connected to, so DNS rebinding gets
nowhere), the same User-Agent, the host's politeness slots. Chromium is launched unable to
resolve names or reach any proxy (browser.py), so a request that slipped past interception
— a WebSocket, a preconnect — fails instead of leaving the machine.

Images, media and fonts are refused (links do not depend on them); so is any method but
GET and HEAD (a check must not submit forms or send beacons), and requests past the page's
budget of count and bytes."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from server.fetch import DEFAULT_USER_AGENT, FetchError
from server.fetch.politeness import Politeness
from server.fetch.probe import ProbeResponse, probe

SKIPPED_TYPES = frozenset({"image", "media", "font", "manifest", "texttrack"})
# Headers that describe the bytes as they came over the wire: probe() has already
# decompressed the body and read it whole.
_DROPPED = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie"}
)
_FETCHES = ThreadPoolExecutor(max_workers=16, thread_name_prefix="render-fetch")


@dataclass(slots=True)
class Gate:
    """One page's network: the document it was given, its budget, and what it asked for."""

    document_url: str
    document_html: str
    document_headers: tuple[tuple[str, str], ...]
    allow_private: bool
    max_requests: int
    max_bytes: int
    deadline: float  # loop.time() by which the page must be done
    politeness: Politeness | None = None
    requests: int = 0
    refused: int = 0
    received: int = 0
    served_document: bool = False
    in_flight: int = 0  # requests being fetched for the page now
    last_activity: float = 0.0  # loop.time() a request last started or ended
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def quiet(self, until: float, calm: float = 0.25) -> None:
        """Wait until no request of the page has been under way for `calm` seconds (scripts
        that add links after `load` usually fetch something first), or until `until`. Every
        request passes through here, so this is exact, unlike a guess from outside."""
        loop = asyncio.get_running_loop()
        while loop.time() < until:
            if self.in_flight == 0 and loop.time() - self.last_activity >= calm:
                return
            await asyncio.sleep(0.05)

    async def handle(self, route: Any) -> None:
        request = route.request
        url = request.url
        if (
            not self.served_document
            and request.is_navigation_request()
            and (url.split("#")[0] == self.document_url.split("#")[0])
        ):
            # The page as the server already fetched it: no second request for the document.
            self.served_document = True
            await route.fulfill(
                status=200,
                headers=self._document_headers(),
                body=self.document_html.encode("utf-8", "surrogatepass"),
            )
            return
        self.requests += 1
        if (
            request.resource_type in SKIPPED_TYPES
            or request.method not in ("GET", "HEAD")
            or not url.startswith(("http://", "https://"))
            or self.requests > self.max_requests
            or self.received > self.max_bytes
        ):
            self.refused += 1
            await route.abort("blockedbyclient")
            return
        loop = asyncio.get_running_loop()
        left = self.deadline - loop.time()
        if left <= 0.2:
            self.refused += 1
            await route.abort("timedout")
            return
        self.in_flight += 1
        self.last_activity = loop.time()
        try:
            answer = await loop.run_in_executor(
                _FETCHES, self._fetch, url, request.method, min(left, 10.0)
            )
        except FetchError as exc:
            self.refused += exc.code in ("blocked_address", "bad_scheme", "bad_url")
            await route.abort("addressunreachable" if exc.code == "blocked_address" else "failed")
            return
        finally:
            self.in_flight -= 1
            self.last_activity = loop.time()
        self.received += len(answer.body)
        headers = {k: v for k, v in answer.headers if k.lower() not in _DROPPED}
        await route.fulfill(status=answer.status, headers=headers, body=answer.body)

    def _document_headers(self) -> dict[str, str]:
        # The served HTML is handed over decoded: say it is UTF-8 now, whatever it was.
        kept = {
            k: v
            for k, v in self.document_headers
            if k.lower() not in _DROPPED and k.lower() != "content-type"
        }
        kept["content-type"] = "text/html; charset=utf-8"
        return kept

    def _fetch(self, url: str, method: str, timeout: float) -> ProbeResponse:
        from server.fetch.addresses import parse_target

        host = parse_target(url).hostname.lower()
        held = False
        if self.politeness is not None:
            held = self.politeness.acquire(host, timeout=timeout)
            if not held:
                raise FetchError("timeout", f"{host} stayed busy with other requests")
        try:
            return probe(
                url,
                method=method,
                allow_private=self.allow_private,
                connect_timeout=min(5.0, timeout),
                read_timeout=timeout,
                total_timeout=timeout,
                body_bytes=max(0, self.max_bytes - self.received),
                user_agent=DEFAULT_USER_AGENT,
            )
        finally:
            if held and self.politeness is not None:
                self.politeness.release(host)
