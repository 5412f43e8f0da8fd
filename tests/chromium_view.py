"""Headless Chromium as the reference for the engine: what a real DOM says about a page's links.

Pages are served from the route handler at a loopback URL, JavaScript is off, and every other
request is aborted, so nothing leaves the machine."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field

import webencodings
from playwright.sync_api import Page, Playwright, Route

from server.analysis import analyze
from server.analysis.model import Analysis

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ORIGIN = "http://127.0.0.1:8765"
# Stops images, styles, fonts and frames before they are even requested; the DOM is unchanged.
_NO_SUBRESOURCES = "default-src 'none'"
_CRAWLERS = ("robots", "googlebot")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SPECIAL_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:", "file:")

_READ_DOM = """() => {
  const html = 'http://www.w3.org/1999/xhtml';
  const links = [];
  if (!document.querySelector('template[shadowrootmode], [shadowrootmode]')) {
    for (const el of document.querySelectorAll('a[href], area[href]')) {
      if (el.namespaceURI !== html) continue;
      links.push([el.href, Array.from(el.relList), el.getAttribute('href'), false]);
    }
  }
  const metas = [];
  for (const m of document.querySelectorAll('meta[name][content]')) {
    if (m.namespaceURI !== html) continue;
    metas.push([m.getAttribute('name'), m.getAttribute('content')]);
  }
  return {charset: document.characterSet, url: document.URL, links, metas};
}"""


# Open and closed shadow roots alike, in shadow-including tree order (a node, its shadow
# root's contents, its children): DevTools' DOM domain, which script in the page cannot see.
_LINK_FACTS = "function () { return [this.href, Array.from(this.relList)]; }"


@dataclass(frozen=True, slots=True)
class BrowserLink:
    href: str
    rel: tuple[str, ...]
    raw: str
    shadow: bool = False


@dataclass(frozen=True, slots=True)
class BrowserPage:
    """What Chromium's DOM says: the encoding it chose, each link, the robots meta tags."""

    url: str
    charset: str
    links: tuple[BrowserLink, ...]
    robots_meta: tuple[tuple[str, str], ...]


class Chromium:
    """One page in one JavaScript-less context; `load` serves bytes at a loopback URL."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.served: dict[str, tuple[bytes, str]] = {}
        self.aborted: list[str] = []
        page.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        served = self.served.get(route.request.url)
        if served is None:
            self.aborted.append(route.request.url)
            route.abort()
            return
        body, content_type = served
        route.fulfill(
            status=200,
            body=body,
            headers={"content-type": content_type, "content-security-policy": _NO_SUBRESOURCES},
        )

    def _pierced_links(self) -> list[BrowserLink]:
        cdp = self.page.context.new_cdp_session(self.page)
        try:
            root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
            found: list[BrowserLink] = []

            def visit(node: dict, in_shadow: bool) -> None:
                for child in node.get("children", []):
                    attrs = child.get("attributes", [])
                    names = attrs[0::2]
                    # HTML elements report an upper-case nodeName, SVG and MathML ones do not.
                    if child.get("nodeName") in ("A", "AREA") and "href" in names:
                        obj = cdp.send("DOM.resolveNode", {"nodeId": child["nodeId"]})
                        facts = cdp.send(
                            "Runtime.callFunctionOn",
                            {
                                "functionDeclaration": _LINK_FACTS,
                                "objectId": obj["object"]["objectId"],
                                "returnByValue": True,
                            },
                        )["result"]["value"]
                        raw = attrs[2 * names.index("href") + 1]
                        found.append(BrowserLink(facts[0], tuple(facts[1]), raw, in_shadow))
                    for shadow_root in child.get("shadowRoots", []):
                        if shadow_root.get("shadowRootType") in ("open", "closed"):
                            visit(shadow_root, True)
                    visit(child, in_shadow)

            visit(root, False)
            return found
        finally:
            cdp.detach()

    def load(self, name: str, body: bytes, content_type: str = "text/html") -> BrowserPage:
        url = f"{ORIGIN}/{name}"
        self.served = {url: (body, content_type)}
        self.page.goto(url, wait_until="domcontentloaded")
        dom = self.page.evaluate(_READ_DOM)
        links = [BrowserLink(h, tuple(rel), raw, shadow) for h, rel, raw, shadow in dom["links"]]
        if not links and b"shadowrootmode" in body.lower():
            links = self._pierced_links()
        return BrowserPage(
            url=dom["url"],
            charset=dom["charset"],
            links=tuple(links),
            robots_meta=tuple(
                (name.strip().lower(), content)
                for name, content in dom["metas"]
                if name.strip().lower() in _CRAWLERS
            ),
        )


def launch(playwright: Playwright) -> Iterator[Chromium]:
    """Debian's Chromium, headless, JavaScript off; never a downloaded browser."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(java_script_enabled=False)
        yield Chromium(context.new_page())
    finally:
        browser.close()


def _windows_1252_c1(error: UnicodeError) -> tuple[str, int]:
    """windows-1252 decodes the five bytes cp1252 leaves undefined to the C1 controls."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start]
    return chr(byte) if byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else "\ufffd", error.start + 1


codecs.register_error("windows-1252-c1", _windows_1252_c1)


def decode_as_browser(body: bytes, charset: str) -> str:
    """The text Chromium parsed: a BOM wins, else the encoding it reports."""
    encoding = webencodings.lookup(charset)
    if encoding is None:
        raise ValueError(f"unknown charset {charset!r}")
    errors = "windows-1252-c1" if encoding.name == "windows-1252" else "replace"
    text, _ = webencodings.decode(body, encoding, errors=errors)
    return str(text)


def relist_tokens(rel_list: tuple[str, ...]) -> tuple[str, ...]:
    """Chromium's relList keeps the author's case; link types are ASCII case-insensitive and
    the engine reports them lowercased, so compare them lowercased and unique."""
    return tuple(dict.fromkeys(t.translate(_ASCII_LOWER) for t in rel_list))


def robots_flags(metas: tuple[tuple[str, str], ...]) -> tuple[bool, bool]:
    """(nofollow, noindex) from meta robots/googlebot contents, read independently of the engine."""
    directives = {d.strip().lower() for _, content in metas for d in content.split(",")}
    none = "none" in directives
    return ("nofollow" in directives or none, "noindex" in directives or none)


def mailto_quote_quirk(browser_href: str, engine_href: str) -> bool:
    """Chromium percent-encodes ' in the query of non-special URLs (mailto:, whatsapp:...);
    the URL Standard only does so for special schemes. The one named quirk we allow."""
    if browser_href.startswith(_SPECIAL_SCHEMES) or "?" not in engine_href:
        return False
    head, _, query = engine_href.partition("?")
    return browser_href == head + "?" + query.replace("'", "%27")


@dataclass(slots=True)
class Comparison:
    """Agreement between Chromium and the engine on one page."""

    name: str
    links: int = 0
    http_links: int = 0
    equal: int = 0
    http_equal: int = 0
    failures: list[str] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list)


def compare(name: str, browser: BrowserPage, result: Analysis) -> Comparison:
    """Same count and order of links, same href and rel per link, same page robots."""
    out = Comparison(name)
    if browser.url != f"{ORIGIN}/{name}":
        out.failures.append(f"Chromium left the page for {browser.url}")
    engine_links = result.links
    if len(engine_links) != len(browser.links):
        out.failures.append(
            f"{len(browser.links)} links in Chromium, {len(engine_links)} in the engine: "
            f"Chromium {[b.raw for b in browser.links][:20]} "
            f"engine {[e.raw_href for e in engine_links][:20]}"
        )
    for theirs, ours in zip(browser.links, engine_links, strict=False):
        out.links += 1
        http = theirs.href.startswith(("http:", "https:"))
        out.http_links += http
        same_rel = relist_tokens(theirs.rel) == ours.rel
        if theirs.href == ours.href and same_rel and theirs.shadow == ours.shadow:
            out.equal += 1
            out.http_equal += http
            continue
        detail = (
            f"raw {theirs.raw!r} / {ours.raw_href!r}: Chromium {theirs.href!r} {theirs.rel} "
            f"shadow={theirs.shadow}, engine {ours.href!r} {ours.rel} shadow={ours.shadow}"
        )
        if same_rel and not http and mailto_quote_quirk(theirs.href, ours.href):
            out.quirks.append(f"' percent-encoded in a non-special query: {detail}")
        else:
            out.failures.append(detail)
    engine_meta = tuple(
        (source.removeprefix("meta "), content)
        for source, content in result.page.robots.sources
        if source.startswith("meta ")
    )
    if engine_meta != browser.robots_meta:
        out.failures.append(f"robots meta: Chromium {browser.robots_meta}, engine {engine_meta}")
    robots = result.page.robots
    if (robots.nofollow, robots.noindex) != robots_flags(browser.robots_meta):
        out.failures.append(
            f"robots flags: Chromium's meta says {robots_flags(browser.robots_meta)}, "
            f"engine {(robots.nofollow, robots.noindex)}"
        )
    return out


def check_page(chromium: Chromium, name: str, body: bytes, content_type: str) -> Comparison:
    """Load `body` in Chromium, hand the engine the same text and charset, compare."""
    browser = chromium.load(name, body, content_type)
    html = decode_as_browser(body, browser.charset)
    result = analyze(html, f"{ORIGIN}/{name}", charset=browser.charset)
    return compare(name, browser, result)
