"""Every link of the live page, in a real Chromium: shadow roots (open, closed, nested,
declarative), frames (same-origin with its own base and robots, srcdoc, another origin, one
the extension may not read), hidden and off-screen links, a link added by script, an inert
template — what the extension sends, checked against what Chromium reports in the page."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, Page

from tests.browser.harness import PAGES, Browser, LoopbackServer, serve_in_thread, table_rows

# Chromium's own view of a document (see the file).
CHROMIUM_VIEW = (Path(__file__).parent / "chromium_links.js").read_text(encoding="utf-8")


def chromium_view(frame: Frame | Page) -> list[dict[str, Any]]:
    view: list[dict[str, Any]] = frame.evaluate(CHROMIUM_VIEW)
    return view


def open_every_link_page(
    ext: Browser, page_server: LoopbackServer, unread_server: LoopbackServer
) -> Page:
    port = page_server.url.rsplit(":", 1)[1]
    page = ext.open(
        f"{page_server.url}/every-link/index.html"
        f"?other=http://localhost:{port}&unread={unread_server.url}"
    )
    page.wait_for_selector("#added", state="attached")
    for name in ("same", "srcdoc", "other", "unread"):
        page.frame_locator(f"#{name}").locator("a").first.wait_for(state="attached")
    return page


def frame_by_url(page: Page, predicate: Any) -> Frame:
    [frame] = [f for f in page.frames if f is not page.main_frame and predicate(f.url)]
    return frame


def test_the_extension_sends_every_link_of_every_document_once_as_chromium_sees_it(
    ext: Browser,
    api_server: LoopbackServer,
    page_server: LoopbackServer,
    unread_server: LoopbackServer,
    artifacts: Path,
) -> None:
    page = open_every_link_page(ext, page_server, unread_server)
    popup = ext.popup(page)
    assert api_server.recorder is not None
    body = api_server.recorder.last("/api/v1/analyze")
    assert body["url"] == page.url
    popup.screenshot(path=artifacts / "popup-every-link.png")

    # The top document: every link once, in shadow-including tree order, as a.href says.
    top = chromium_view(page)
    assert [link["href"] for link in body["live_links"]] == [link["href"] for link in top]
    assert "https://inert.example/template" not in {link["href"] for link in top}
    assert "https://script.example/added" in {link["href"] for link in top}
    assert {link["href"] for link in top if link["shadow"]} == {
        "https://shadow.example/open",
        f"{page_server.url}/shadow/closed",
        "https://nested.example/outer",
        "https://nested.example/inner",
        f"{page_server.url}/dsd/open",
        "https://dsd.example/closed",
    }
    # Hidden: what the page's author meant, what a hit test in the page finds, what was sent.
    for link, sent_link in zip(top, body["live_links"], strict=True):
        assert link["expect_hidden"] is (not link["seen"]), link
        assert sent_link["hidden"] is link["expect_hidden"], (link, sent_link)
        assert set(sent_link) == {"href", "hidden"}

    # Every shadow root is in the HTML as declarative shadow DOM; the plain template stays.
    html = body["html"]
    assert html.count('<template shadowrootmode="open"') == 3
    assert html.count('<template shadowrootmode="closed"') == 3
    assert '<template><a href="https://inert.example/template">' in html
    assert html.startswith('<!DOCTYPE html><html lang="en">')

    # Frames, in pre-order: each with its own links as Chromium sees them in that frame.
    frames = body["frames"]
    port = page_server.url.rsplit(":", 1)[1]
    assert [(f["url"], f["parent"]) for f in frames] == [
        (f"{page_server.url}/every-link/frame.html", None),
        ("about:srcdoc", None),
        (f"http://localhost:{port}/every-link/other.html", None),
    ]
    expected_frames = [
        frame_by_url(page, lambda u: u.endswith("/every-link/frame.html")),
        frame_by_url(page, lambda u: u == "about:srcdoc"),
        frame_by_url(page, lambda u: u.startswith("http://localhost:")),
    ]
    for sent_frame, frame in zip(frames, expected_frames, strict=True):
        view = chromium_view(frame)
        assert [(x["href"], x["hidden"]) for x in sent_frame["live_links"]] == [
            (x["href"], x["expect_hidden"]) for x in view
        ]
        assert all(x["expect_hidden"] is (not x["seen"]) for x in view), view
    # The frame's links resolve against its own <base>; a srcdoc frame's against its parent's.
    assert [x["href"] for x in frames[0]["live_links"]][:2] == [
        "https://base.example/dir/page",
        "https://base.example/rooted",
    ]
    assert frames[1]["live_links"][0]["href"] == f"{page_server.url}/every-link/relative/in-srcdoc"
    assert '<meta name="robots" content="nofollow">' in frames[0]["html"]

    # The HTML the site sent, from the browser's cache: the script's link is not in it.
    served = (PAGES / "every-link" / "index.html").read_text(encoding="utf-8")
    assert body["served_html"] == served
    assert "script.example" not in body["served_html"].split("setTimeout")[0]

    # The frame on 127.0.0.2 could not be read: the popup says so and offers access.
    banner = popup.locator("[data-banner=unread-frames]")
    assert "1 frame was not read (127.0.0.2)" in banner.inner_text()
    assert popup.is_visible("#grant-frames")


class NoStorePage(BaseHTTPRequestHandler):
    """One page the browser may not cache; counts how often it is fetched."""

    body = (
        b"<!doctype html><meta charset=utf-8><title>No store</title>"
        b'<p><a href="https://served.example/">served</a></p>'
        b'<script>document.body.insertAdjacentHTML("beforeend",'
        b" '<a href=\"https://script.example/late\">late</a>')</script>"
    )
    gets: list[str] = []

    def do_GET(self) -> None:
        if self.path != "/no-store.html":
            self.send_error(404)
            return
        self.gets.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Robots-Tag", "noarchive")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_page_the_cache_may_not_keep_is_fetched_once_more_and_no_more(
    ext: Browser, api_server: LoopbackServer
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NoStorePage)
    serve_in_thread(server)
    try:
        page = ext.open(f"http://127.0.0.1:{server.server_port}/no-store.html")
        assert NoStorePage.gets == ["/no-store.html"]
        popup = ext.popup(page)
        popup.wait_for_selector("body[data-origins=known]", state="attached")
        page.wait_for_timeout(300)  # any later fetch would have come by now
        assert NoStorePage.gets == ["/no-store.html", "/no-store.html"]
        assert api_server.recorder is not None
        body = api_server.recorder.last("/api/v1/analyze")
        assert body["served_html"] == NoStorePage.body.decode()
        assert body["headers"] == {"X-Robots-Tag": "noarchive"}
        assert [link["href"] for link in body["live_links"]] == [
            "https://served.example/",
            "https://script.example/late",
        ]
    finally:
        server.shutdown()


# Links whose elements scripts made: the custom elements' shadow roots and the late link.
SCRIPT_MADE = {
    "https://shadow.example/open",
    "/shadow/closed",
    "https://nested.example/outer",
    "https://nested.example/inner",
    "https://script.example/added",
}


def rows(popup: Page) -> list[str]:
    return [href for href, _ in table_rows(popup)]


def test_the_answer_lists_every_link_once_with_where_it_lives_and_what_a_crawler_sees(
    ext: Browser,
    api_server: LoopbackServer,
    page_server: LoopbackServer,
    unread_server: LoopbackServer,
    artifacts: Path,
) -> None:
    page = open_every_link_page(ext, page_server, unread_server)
    answers: list[Any] = []
    listen = lambda r: r.url.endswith("/api/v1/analyze") and answers.append(r)  # noqa: E731
    ext.context.on("response", listen)
    popup = ext.popup(page)
    ext.context.remove_listener("response", listen)
    # The first answer comes before layout is read; the one the popup ends with has it all.
    assert len(answers) == 2
    assert all(
        link[answers[0].json()["link_fields"].index("hidden")] is None
        for link in answers[0].json()["links"]
    )
    assert popup.get_attribute("body", "data-live") == "known"
    answer = answers[-1].json()
    # The popup asks for its fields as arrays (the API's link_fields): objects again.
    links = [dict(zip(answer["link_fields"], row, strict=True)) for row in answer["links"]]
    documents = [
        page,
        frame_by_url(page, lambda u: u.endswith("/every-link/frame.html")),
        frame_by_url(page, lambda u: u == "about:srcdoc"),
        frame_by_url(page, lambda u: u.startswith("http://localhost:")),
    ]
    # Every link of every document exactly once, the page's first, then each frame's.
    expected = []
    for number, document in enumerate(documents):
        for link in chromium_view(document):
            expected.append({**link, "frame": None if number == 0 else number - 1})
    assert [(x["href"], x["frame"]) for x in links] == [(x["href"], x["frame"]) for x in expected]
    for link, chromium in zip(links, expected, strict=True):
        assert link["rel"] == [token.lower() for token in chromium["rel"]], link
        assert link["shadow"] is chromium["shadow"], link
        assert link["hidden"] is chromium["expect_hidden"], link
        assert ("hidden" in link["risks"]) is chromium["expect_hidden"], link
        if link["frame"] is None:
            # pages/robots.txt disallows /every-link/: Google cannot crawl the page.
            assert link["risks"][0] == "robots_txt_disallowed", link
            made = link["href"].removeprefix(page_server.url) in SCRIPT_MADE
            assert link["origin"] == ("script" if made else "html"), link
            assert ("script_only" in link["risks"]) is made, link
            assert link["frame_url"] is None
        else:
            assert "in_frame" in link["risks"], link
            assert link["frame_url"] == answer["page"]["frames"][link["frame"]]["url"]
    assert answer["page"]["robots_txt"] == {
        "status": "disallowed",
        "url": f"{page_server.url}/robots.txt",
        "rule": "Disallow: /every-link/",
    }
    # The same-origin frame obeys its own meta robots, not the page's.
    in_frame = [x for x in links if x["frame"] == 0]
    assert all(
        not x["follow"] and "meta robots: nofollow" in x["nofollow_reasons"] for x in in_frame
    )
    assert links[0]["follow"] is True
    # Sponsored as Google reads rel="sponsored,nofollow"; the browser keeps one token.
    dsd_closed = next(x for x in links if x["href"] == "https://dsd.example/closed")
    assert dsd_closed["rel"] == ["sponsored,nofollow"]
    assert "rel=sponsored" in dsd_closed["nofollow_reasons"]

    # The popup says it once for the page, in words, and in the verdict for my site.
    banner = popup.locator("[data-banner=page-risks]")
    assert banner.inner_text().startswith("Links on this page may not count: blocked by robots.txt")
    banner.locator("summary").click()
    assert "robots.txt blocks Googlebot from this page: Google cannot crawl it" in (
        banner.inner_text()
    )
    assert f"(Disallow: /every-link/ in {page_server.url}/robots.txt)" in banner.inner_text()
    mine = popup.locator("[data-match=my-site] .verdict")
    assert mine.inner_text() == "Yes · followed · at risk: blocked by robots.txt"
    assert "robots.txt blocks Googlebot" in (mine.get_attribute("title") or "")
    # The page's rows do not repeat the page's risk; a frame's rows say their document's.
    frame_rows = [f"[data-href='{x['href']}']" for x in links if x["frame"] is not None]
    page_rows = "#link-rows tr" + "".join(f":not({row})" for row in frame_rows)
    assert popup.locator(f"{page_rows} [data-risk=robots_txt_disallowed]").count() == 0
    framed = popup.locator("tr[data-href='https://base.example/dir/page'] [data-risk]")
    assert framed.all_inner_texts() == ["robots.txt", "frame"]

    # The popup lists exactly these links, and marks risks, frames and shadow trees.
    assert rows(popup) == [x["href"] for x in links]
    hidden_row = popup.locator("tr[data-href='https://hidden.example/opacity']")
    assert hidden_row.locator("[data-risk=hidden]").inner_text() == "hidden"
    assert "hidden from visitors" in hidden_row.locator("td.risks").get_attribute("title")
    shadow_row = popup.locator("tr[data-href='https://nested.example/inner']")
    assert shadow_row.locator("[data-where=shadow]").count() == 1
    assert shadow_row.locator("[data-risk=script_only]").inner_text() == "script"
    assert "added by JavaScript" in shadow_row.locator("td.risks").get_attribute("title")
    frame_row = popup.locator("tr[data-href='https://base.example/dir/page']")
    assert frame_row.locator("[data-risk=in_frame]").inner_text() == "frame"
    popup.click("[data-filter='risk:hidden']")
    assert sorted(rows(popup)) == sorted(x["href"] for x in links if x["hidden"])
    assert popup.text_content("[data-filter='risk:hidden'] .chip-count") == str(
        answer["summary"]["hidden"]
    )
    popup.click("[data-filter='at-risk']")
    assert len(rows(popup)) == answer["summary"]["at_risk"]
    popup.click("[data-filter=sponsored]")
    assert rows(popup) == ["https://dsd.example/closed"]
    popup.set_viewport_size({"width": 800, "height": 600})
    popup.screenshot(path=artifacts / "popup-every-link-risks.png")


def test_row_clicks_and_highlight_reach_links_in_closed_shadow_roots_and_frames(
    ext: Browser, page_server: LoopbackServer, unread_server: LoopbackServer, artifacts: Path
) -> None:
    page = open_every_link_page(ext, page_server, unread_server)
    popup = ext.popup(page)
    closed_link = "window.closedRoots[0].querySelector('a')"
    popup.click(f"tr[data-href='{page_server.url}/shadow/closed']")
    page.wait_for_function(f"{closed_link}.getAnimations().length > 0")
    frame = frame_by_url(page, lambda u: u.endswith("/every-link/frame.html"))
    popup.click("tr[data-href='https://base.example/dir/page']")
    frame.wait_for_function("document.querySelector('a').getAnimations().length > 0")

    popup.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    outline = "(el) => getComputedStyle(el).outlineStyle"
    assert page.evaluate(f"({outline})({closed_link})") == "double"  # an internal link
    assert frame.evaluate(f"({outline})(document.querySelector('a'))") == "dashed"  # nofollow
    legend = page.locator("link-inspector-overlay .legend").inner_text()
    assert "Nofollow external" in legend
    page.bring_to_front()
    page.screenshot(path=artifacts / "highlighted-every-link.png")
    popup.uncheck("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="detached")
    assert frame.evaluate(f"({outline})(document.querySelector('a'))") == "none"
    assert page.evaluate(f"({outline})({closed_link})") == "none"
