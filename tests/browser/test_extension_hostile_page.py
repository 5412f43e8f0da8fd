"""Page content is hostile: anchor texts, hrefs, rel and alt carrying markup never run."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.harness import Browser, LoopbackServer

PWNED = "() => window.__pwned ?? null"


def hover_every_link(page: Page) -> None:
    page.bring_to_front()
    for link in page.locator("a[href]").all():
        link.hover()
        page.wait_for_timeout(50)


def test_hostile_page_runs_no_injected_script_in_popup_or_page(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/hostile.html")
    popup = ext.popup(page)
    rows = popup.locator("#link-rows tr")
    assert rows.count() == 5
    # The markup is shown as text...
    assert "<img src=x onerror=" in popup.inner_text("#link-rows")
    assert "<script>window.__pwned='script-text'</script>" in popup.inner_text("#link-rows")
    # ...and never became elements.
    # (the popup's own scripts are files in its <head>)
    assert popup.locator("img, iframe, body script, script:not([src])").count() == 0
    assert popup.evaluate("document.querySelectorAll('#result [onerror]').length") == 0
    popup.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    hover_every_link(page)
    for row in rows.all():
        row.click()
    popup.uncheck("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="detached")
    page.wait_for_timeout(300)  # give any stray onerror time to fire
    assert page.evaluate(PWNED) is None
    assert popup.evaluate(PWNED) is None
    assert page.url.endswith("/hostile.html")


def test_the_tooltip_shows_hostile_markup_as_text(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/hostile.html")
    popup = ext.popup(page)
    popup.check("#highlight-toggle")
    page.wait_for_selector("link-inspector-overlay", state="attached")
    page.bring_to_front()
    page.hover("a[rel]")
    tip = page.locator("link-inspector-overlay .tip")
    tip.wait_for(state="visible")
    assert "rel: <img src=x onerror=window.__pwned='rel'> nofollow" in tip.inner_text()
    assert tip.locator("img").count() == 0
    assert page.evaluate(PWNED) is None
