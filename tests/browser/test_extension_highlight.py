"""'Highlight on page': outlines by status, legend, tooltip; off leaves no trace."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.browser.harness import Browser, LoopbackServer, wait_until

# The Okabe-Ito colours of lib/status.js, as getComputedStyle reports them.
FOLLOWED = "rgb(0, 114, 178)"
NOFOLLOW = "rgb(213, 94, 0)"
PAID = "rgb(204, 121, 167)"
INTERNAL = "rgb(0, 158, 115)"


def outline(page: Page, selector: str) -> tuple[str, str]:
    color, style = page.eval_on_selector(
        selector,
        "el => [getComputedStyle(el).outlineColor, getComputedStyle(el).outlineStyle]",
    )
    return color, style


def test_highlight_outlines_each_status_in_its_colour_and_line_style(
    ext: Browser, page_server: LoopbackServer, artifacts: Path
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    popup.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    assert outline(page, "a[href='https://tools.example/trowel?ref=review']") == (FOLLOWED, "solid")
    assert outline(page, "a[href='https://blog.example/post']") == (NOFOLLOW, "dashed")
    assert outline(page, "a[href='https://shop.example/p/123']") == (PAID, "dotted")
    assert outline(page, "a[href='https://forum.example/t/9']") == (PAID, "dotted")
    assert outline(page, "a[href='/about']") == (INTERNAL, "double")
    assert outline(page, "a[href^='mailto:']")[1] == "none"
    page.bring_to_front()
    page.hover("a[href='https://blog.example/post']")
    page.screenshot(path=artifacts / "highlighted-page.png")
    popup.close()


def test_tooltip_shows_rel_and_status_as_text(ext: Browser, page_server: LoopbackServer) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    popup.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    page.bring_to_front()
    page.hover("a[href='https://forum.example/t/9']")
    tip = page.locator("link-inspector-overlay .tip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "Sponsored / UGC" in text
    assert "Not followed: rel=ugc; rel=nofollow" in text
    assert "rel: ugc nofollow" in text
    assert "https://forum.example/t/9" in text
    legend = page.locator("link-inspector-overlay .legend").inner_text()
    assert "Followed external" in legend and "Internal" in legend
    page.mouse.move(1, 700)
    tip.wait_for(state="hidden")


def test_highlight_off_restores_the_page_exactly(ext: Browser, page_server: LoopbackServer) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    before = page.evaluate("document.documentElement.outerHTML")
    popup = ext.popup(page)
    popup.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    assert page.evaluate("document.documentElement.outerHTML") != before
    page.hover("a[href='/about']")
    popup.uncheck("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="detached")
    assert page.evaluate("document.documentElement.outerHTML") == before
    # The footer link kept its own inline style; the others have no style attribute again.
    assert page.get_attribute("footer a[href='/privacy']", "style") == "color: rgb(1, 2, 3)"
    assert outline(page, "a[href='https://blog.example/post']")[1] == "none"


def test_reopened_popup_knows_the_highlight_is_on(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    first = ext.popup(page)
    first.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    first.close()
    second = ext.popup(page)
    wait_until(second, "document.getElementById('highlight-toggle').checked")
    second.uncheck("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="detached")
