"""The rendering pool: one headless Chromium per process, driven by Playwright's async API
on a thread of its own, at most `pages` pages at once (a fresh context each: no cookies,
no storage, no service workers), each under a hard time limit; started on the first page
that needs it, restarted when it dies or after `recycle_after` pages, closed after
`idle_close` seconds without a page. Callers on any thread block in `render`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from server.fetch.politeness import Politeness
from server.render import RenderedPage, RenderError, RenderSettings
from server.render.network import Gate

log = logging.getLogger(__name__)
# The extension's own reader of a live page (shadow roots, hidden links), so a rendered
# check sees a page exactly as the popup does. Run in an isolated world: page scripts
# cannot see or tamper with it.
_CONTENT = Path(__file__).resolve().parents[2] / "extension" / "content"
ARGS = (
    "--no-sandbox",  # root in a container; the page runs no privileged code of ours
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--dns-prefetch-disable",
    "--mute-audio",
    # Chromium can reach nothing by itself: every request is intercepted and fetched by
    # server/fetch (network.py); anything that is not (WebSockets, preconnects, WebRTC)
    # finds no resolver, no proxy and no UDP.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--js-flags=--max-old-space-size=512",
)


def _scripts() -> tuple[str, str] | None:
    try:
        return (
            (_CONTENT / "tree.js").read_text(encoding="utf-8"),
            (_CONTENT / "collect.js").read_text(encoding="utf-8"),
        )
    except OSError:
        return None


class Renderer:
    def __init__(self, settings: RenderSettings) -> None:
        self.settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._pages: asyncio.Semaphore | None = None
        self._rendered = 0
        self._scripts = _scripts()
        self.peak_in_flight = 0
        self._in_flight = 0
        self._last_used = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None

    def unavailable(self) -> str | None:
        """Why nothing can be rendered here, or None."""
        if self.settings.chromium is None:
            return (
                "no Chromium is installed (install Debian's chromium, or set "
                "LINKINSPECTOR_CHROMIUM_PATH)"
            )
        if self._scripts is None:
            return "the extension's content scripts are missing from this installation"
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            return "Playwright is not installed"
        return None

    def render(
        self,
        url: str,
        html: str,
        headers: tuple[tuple[str, str], ...] = (),
        *,
        politeness: Politeness | None = None,
    ) -> RenderedPage:
        """Render `url` from its served `html`; blocks until done. Raises RenderError."""
        reason = self.unavailable()
        if reason is not None:
            raise RenderError("unavailable", reason)
        loop = self._ensure_loop()
        future = asyncio.run_coroutine_threadsafe(
            self._render(url, html, tuple(headers), politeness), loop
        )
        try:
            # The page's own limit is enforced inside; this only guards against a stuck loop.
            return future.result(timeout=self.settings.timeout * 3 + 30)
        except FutureTimeout:
            future.cancel()
            raise RenderError("timeout", "the renderer did not answer") from None

    def memory(self) -> dict[str, int]:
        """Proportional set size (PSS, kB) of the pool's processes: the Playwright driver and
        every Chromium process, which share much of their memory."""
        drivers = [pid for pid in _children(os.getpid()) if b"run-driver" in _cmdline(pid)]
        total = {"pss_kb": 0, "processes": 0}
        for pid in drivers:
            tree = _tree_memory(pid)
            total["pss_kb"] += tree["pss_kb"] + _pss_kb(pid)
            total["processes"] += tree["processes"] + 1
        return total

    def close(self) -> None:
        loop = self._loop
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop = None

    # --- on the renderer's own thread ---

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=run, name="renderer", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    async def _browser_ready(self) -> Any:
        if self._pages is None:
            self._pages = asyncio.Semaphore(self.settings.pages)
        browser = self._browser
        # Restarted when it died, or (between pages) after `recycle_after` pages.
        if browser is not None and (
            not browser.is_connected()
            or (self._rendered >= self.settings.recycle_after and self._in_flight == 0)
        ):
            await self._close_browser()
        if self._browser is None:
            from playwright.async_api import async_playwright

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.settings.chromium, headless=True, args=list(ARGS)
            )
            self._rendered = 0
        return self._browser

    async def _close_browser(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            try:
                await asyncio.wait_for(browser.close(), 10)
            except Exception:
                log.warning("closing Chromium failed", exc_info=True)

    async def _close_if_idle(self) -> None:
        loop = asyncio.get_running_loop()
        if self._in_flight == 0 and loop.time() - self._last_used >= self.settings.idle_close:
            await self._close_browser()

    def running(self) -> bool:
        """Whether Chromium is running now."""
        return self._browser is not None

    async def _shutdown(self) -> None:
        await self._close_browser()
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    async def _render(
        self,
        url: str,
        html: str,
        headers: tuple[tuple[str, str], ...],
        politeness: Politeness | None,
    ) -> RenderedPage:
        assert self._scripts is not None
        if self._pages is None:
            self._pages = asyncio.Semaphore(self.settings.pages)
        started = time.monotonic()
        async with self._pages:
            loop = asyncio.get_running_loop()
            # The time limit counts from here: waiting for a free page is not the page's.
            deadline = loop.time() + self.settings.timeout
            try:
                browser = await self._browser_ready()
            except Exception as exc:
                raise RenderError("failed", f"Chromium did not start: {exc}") from None
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            self._rendered += 1
            gate = Gate(
                document_url=url,
                document_html=html,
                document_headers=headers,
                allow_private=self.settings.allow_private,
                max_requests=self.settings.max_requests,
                max_bytes=self.settings.max_bytes,
                deadline=deadline,
                politeness=politeness,
            )
            context = None
            try:
                context = await browser.new_context(
                    service_workers="block",
                    accept_downloads=False,
                    java_script_enabled=True,
                    viewport={"width": 1280, "height": 900},
                    user_agent=None,
                )

                async def intercept(route: Any) -> None:
                    await gate.handle(route)

                await context.route("**/*", intercept)
                return await asyncio.wait_for(
                    self._load_and_read(context, url, gate, deadline, started),
                    timeout=max(0.1, deadline - loop.time()),
                )
            except TimeoutError:
                raise RenderError(
                    "timeout", f"the page took longer than {self.settings.timeout:g} s to render"
                ) from None
            except RenderError:
                raise
            except Exception as exc:
                log.debug("rendering failed", exc_info=True)
                raise RenderError("failed", f"rendering failed: {type(exc).__name__}") from None
            finally:
                self._in_flight -= 1
                self._last_used = loop.time()
                if self._idle_timer is not None:
                    self._idle_timer.cancel()
                self._idle_timer = loop.call_later(
                    self.settings.idle_close, lambda: asyncio.ensure_future(self._close_if_idle())
                )
                if context is not None:
                    try:
                        await asyncio.wait_for(context.close(), 10)
                    except Exception:  # a wedged page: the next render restarts Chromium
                        log.warning("a page context did not close; restarting Chromium")
                        await self._close_browser()

    async def _load_and_read(
        self, context: Any, url: str, gate: Gate, deadline: float, started: float
    ) -> RenderedPage:
        loop = asyncio.get_running_loop()
        page = await context.new_page()
        left_ms = max(100.0, (deadline - loop.time()) * 1000)
        await page.goto(url, wait_until="load", timeout=left_ms)
        # Scripts that add links after `load` (a fetch, a timer): wait for the page's network
        # to be quiet, a few seconds at most, then read what is there.
        await gate.quiet(min(loop.time() + 3.0, deadline - 1.0))
        tree, collect = self._scripts or ("", "")
        cdp = await context.new_cdp_session(page)
        frames = await cdp.send("Page.getFrameTree")
        world = await cdp.send(
            "Page.createIsolatedWorld",
            {"frameId": frames["frameTree"]["frame"]["id"], "worldName": "linkinspector"},
        )
        where = {"contextId": world["executionContextId"], "returnByValue": True}
        await cdp.send("Runtime.evaluate", {"expression": tree, **where})
        answer = await cdp.send(
            "Runtime.evaluate", {"expression": collect, "awaitPromise": True, **where}
        )
        if "exceptionDetails" in answer:
            raise RenderError("failed", "reading the rendered page failed")
        value = answer["result"]["value"]
        live = value.get("live_links")
        if live is None:
            # The extension reads in two steps (the popup shows the table in between): the
            # links' hrefs and visibility come from the second, linkInspectorLive().
            second = await cdp.send(
                "Runtime.evaluate", {"expression": "globalThis.linkInspectorLive()", **where}
            )
            live = ((second.get("result") or {}).get("value") or {}).get("live_links")
        if not isinstance(live, str):
            raise RenderError("failed", "reading the rendered page's links failed")
        links = tuple((str(e["href"]), bool(e["hidden"])) for e in json.loads(live))
        return RenderedPage(
            url=str(value.get("url") or url),
            html=str(value["html"]),
            live_links=links,
            requests=gate.requests,
            refused=gate.refused,
            ms=int((time.monotonic() - started) * 1000),
        )


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            except OSError:
                continue
            found.extend(int(c) for c in text.split())
    except OSError:
        pass
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_memory(root: int) -> dict[str, int]:
    """PSS (kB) of every process under `root` (not `root` itself), and how many."""
    stack, seen = _children(root), set()
    total = processes = 0
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kb(pid)
        processes += 1
        stack.extend(_children(pid))
    return {"pss_kb": total, "processes": processes}
