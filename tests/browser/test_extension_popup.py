"""The popup, driven in a real Chromium against the real server."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.browser.harness import (
    API_TOKEN,
    COMPETITORS,
    MY_SITES,
    Browser,
    LoopbackServer,
    table_rows,
)


def api_analysis(api_server: LoopbackServer, page: Page) -> dict[str, Any]:
    """What the API answers for the page's live DOM, asked directly."""
    body = {
        "url": page.url,
        "html": page.evaluate("document.documentElement.outerHTML"),
        "sites": MY_SITES,
        "competitors": COMPETITORS,
    }
    request = urllib.request.Request(
        f"{api_server.url}/api/v1/analyze",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {API_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.load(response)
    return result


def test_table_lists_the_same_links_as_the_api_in_page_order(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer, artifacts: Path
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    expected = api_analysis(api_server, page)
    assert table_rows(popup) == [
        [link["href"], "true" if link["follow"] else "false"] for link in expected["links"]
    ]
    assert popup.text_content("[data-stat=total] .tile-value") == str(expected["summary"]["total"])
    popup.set_viewport_size({"width": 780, "height": 600})
    popup.screenshot(path=artifacts / "popup.png", full_page=True)


def test_a_thousand_links_all_reach_the_table_in_page_order(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/many-links.html")
    popup = ext.popup(page)
    expected = api_analysis(api_server, page)["links"]
    assert len(expected) == 1000
    assert table_rows(popup) == [[link["href"], str(link["follow"]).lower()] for link in expected]
    popup.click("[data-filter=ugc]")
    assert len(table_rows(popup)) == 100


def test_links_added_by_javascript_after_load_appear(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/dynamic.html")
    page.wait_for_selector("#late")
    popup = ext.popup(page)
    assert ["https://added-by-script.example/later", "false"] in table_rows(popup)
    assert ["https://static.example/", "true"] in table_rows(popup)


def test_my_site_and_competitor_cards_say_yes_or_no_with_the_links(
    ext: Browser, page_server: LoopbackServer
) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/links.html"))
    mine = popup.locator("[data-match=my-site]")
    assert mine.locator(".verdict").inner_text() == "Yes · followed"
    assert mine.locator(".match-count").inner_text() == "1 link"
    assert "my-site.example/trowels/" not in mine.inner_text()  # one line until opened
    mine.locator("summary").click()
    assert "my-site.example/trowels/" in mine.inner_text()
    rival = popup.locator("[data-match=competitor][data-site='rival.example']")
    assert rival.locator(".verdict").inner_text() == "Yes · nofollow only"
    absent = popup.locator("[data-match=competitor][data-site='absent-rival.example']")
    assert absent.locator(".verdict").inner_text() == "No"
    assert popup.is_visible("#track-backlink")


def test_robots_nofollow_page_gets_a_banner_and_every_row_is_nofollow(
    ext: Browser, page_server: LoopbackServer
) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/robots-nofollow.html"))
    banner = popup.locator("[data-banner=robots-nofollow]")
    assert "Every link on this page is nofollow" in banner.inner_text()
    assert "meta robots" in banner.inner_text()
    assert {follow for _, follow in table_rows(popup)} == {"false"}
    assert "nofollow only" in popup.locator("[data-match=my-site]").inner_text()


def test_filter_chips_and_search_narrow_the_table(
    ext: Browser, page_server: LoopbackServer
) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/links.html"))
    popup.click("[data-filter=sponsored]")
    assert table_rows(popup) == [["https://shop.example/p/123", "false"]]
    popup.click("[data-filter=competitors]")
    assert table_rows(popup) == [["https://rival.example/garden", "false"]]
    popup.click("[data-filter=internal]")
    assert all(href.startswith("http://127.0.0.1:") for href, _ in table_rows(popup))
    popup.click("[data-filter=all]")
    popup.fill("#search", "trowel")
    hrefs = [href for href, _ in table_rows(popup)]
    assert hrefs == [
        "https://tools.example/trowel?ref=review",
        "https://my-site.example/trowels/",
        "https://images.example/gallery",  # its image's alt says "Trowel gallery"
    ]
    assert popup.text_content("[data-filter=all] .tile-value") == "3"


def test_sorting_by_destination_then_reversing(ext: Browser, page_server: LoopbackServer) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/links.html"))
    popup.click("th[data-sort=destination]")
    ascending = [href for href, _ in table_rows(popup)]
    popup.click("th[data-sort=destination]")
    descending = [href for href, _ in table_rows(popup)]
    assert (
        ascending[0].startswith("http://127.0.0.1")
        and ascending[-1] == "https://twitter.example/garden"
    )
    assert descending == ascending[::-1]


def test_clicking_a_row_scrolls_the_page_to_that_link(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    assert page.evaluate("window.scrollY") == 0
    popup.click("tr[data-href='https://far.example/deep']")
    page.wait_for_function("window.scrollY > 500")
    in_view = page.evaluate(
        "(() => { const r = document.getElementById('far-link').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; })()"
    )
    assert in_view
    assert page.evaluate("document.getElementById('far-link').getAnimations().length") > 0


def test_badge_shows_the_followed_external_count(ext: Browser, page_server: LoopbackServer) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    followed = popup.text_content("[data-stat=followed_external] .tile-value")
    badge = ext.worker.evaluate(
        "(tabId) => chrome.action.getBadgeText({tabId})", ext.tab_id(page.url)
    )
    assert badge == followed == "5"  # rel="nofollow,noopener" is nofollow, as Google reads it


def test_csv_export_downloads_every_shown_row_with_formulas_neutralised(
    ext: Browser, page_server: LoopbackServer, tmp_path: Path
) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/hostile.html"))
    with popup.expect_download() as download_info:
        popup.click("#export-csv")
    path = tmp_path / "links.csv"
    download_info.value.save_as(path)
    text = path.read_bytes().decode("utf-8")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("index,anchor_text,image_alt,href")
    assert len(lines) == 1 + len(table_rows(popup))
    assert "'=HYPERLINK(" in text and ",=HYPERLINK" not in text


def api_get(api_server: LoopbackServer, path: str) -> Any:
    request = urllib.request.Request(
        f"{api_server.url}{path}", headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_save_as_prospect_stores_the_page_and_says_so(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    popup.click("#save-prospect")
    popup.wait_for_selector("#action-feedback.ok")
    assert popup.inner_text("#action-feedback") == "Saved 127.0.0.1 as a new prospect."
    popup.click("#save-prospect")
    popup.wait_for_selector("#action-feedback.ok:has-text('Added this page')")
    listing = api_get(api_server, "/api/v1/prospects")
    items = listing["items"] if isinstance(listing, dict) else listing
    assert [p["domain"] for p in items] == ["127.0.0.1"]


def test_a_failed_save_says_what_the_server_answered(
    ext: Browser, page_server: LoopbackServer
) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/links.html"))
    popup.route(
        "**/api/v1/prospects",
        lambda route: route.fulfill(
            status=500,
            json={"error": {"code": "internal_error", "message": "Database is locked."}},
        ),
    )
    popup.click("#save-prospect")
    popup.wait_for_selector("#action-feedback.error")
    assert popup.inner_text("#action-feedback") == "Saving prospect failed: Database is locked."
    popup.route(
        "**/api/v1/backlinks",
        lambda route: route.fulfill(
            status=404, json={"error": {"code": "not_found", "message": "x"}}
        ),
    )
    popup.click("#track-backlink")
    popup.wait_for_selector("#action-feedback.error:has-text('Tracking backlink failed')")
    assert "no /api/v1/backlinks endpoint" in popup.inner_text("#action-feedback")


def test_a_page_the_extension_cannot_read_gets_an_explanation_not_a_spinner(
    ext: Browser,
) -> None:
    page = ext.open("chrome://version/")
    tab_id = ext.worker.evaluate(
        "async () => (await chrome.tabs.query({})).find((t) => !t.url?.startsWith('http') "
        "&& !t.url?.startsWith('chrome-extension') && t.title?.includes('About Version'))?.id"
        " ?? (await chrome.tabs.query({active: true}))[0].id"
    )
    assert page.url.startswith("chrome://")
    popup = ext.open(ext.extension_url(f"popup/popup.html?tabId={tab_id}"))
    popup.wait_for_selector(".state.blocked")
    assert not popup.is_visible(".spinner")
    assert "extensions" in popup.inner_text("#status-text")


def test_reading_the_page_starts_before_the_popups_modules_have_loaded(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page)
    marks = popup.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('mark')"
        ".map((m) => [m.name.replace('link-inspector:', ''), m.startTime]))"
    )
    assert marks["popup-started"] <= marks["page-requested"] < marks["modules-loaded"], marks
    assert marks["page-collected"] <= marks["request-sent"] < marks["analysis-received"], marks


def test_without_tab_id_the_popup_inspects_the_active_tab(ext: Browser) -> None:
    # Opened in a tab of its own, the popup's active tab is itself: an extension page.
    popup = ext.open(ext.extension_url("popup/popup.html"))
    popup.wait_for_selector(".state.blocked")
    assert "browser's own pages" in popup.inner_text("#status-text")
