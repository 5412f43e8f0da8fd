""" "Track this backlink" in the popup: asks which of my sites when the page links to several,
then tracks and checks it at once (the server fetches the page), saying the result plainly."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.harness import (
    API_TOKEN,
    COMPETITORS,
    MY_SITES,
    Browser,
    LoopbackServer,
    save_options,
)

TWO_SITES = [*MY_SITES, "my-other-site.example"]
TIMEOUT_MS = 20_000  # the check is a real fetch by the server


def api_get(api_server: LoopbackServer, path: str) -> Any:
    request = urllib.request.Request(
        f"{api_server.url}{path}", headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def tracked(api_server: LoopbackServer, source_url: str) -> list[dict[str, Any]]:
    items = api_get(api_server, "/api/v1/backlinks?per_page=200")["items"]
    return [b for b in items if b["source_url"] == source_url]


def feedback(popup: Page, kind: str) -> str:
    """The action's last word: the button is aria-disabled until then, through "Tracking…"
    and "Checking it…"."""
    popup.wait_for_selector("#track-backlink:not([aria-disabled])", timeout=TIMEOUT_MS)
    assert popup.get_attribute("#action-feedback", "class") == f"feedback {kind}"
    return popup.inner_text("#action-feedback")


@pytest.fixture
def two_sites(ext: Browser, api_server: LoopbackServer) -> Iterator[None]:
    save_options(ext, api_server.url, API_TOKEN, TWO_SITES, COMPETITORS).close()
    yield
    save_options(ext, api_server.url, API_TOKEN, MY_SITES, COMPETITORS).close()


def test_one_linked_site_is_tracked_and_checked_at_once(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html?from=track-one")
    popup = ext.popup(page)
    assert popup.get_attribute("#track-backlink", "aria-expanded") is None  # no chooser
    popup.click("#track-backlink")
    assert feedback(popup, "ok") == (
        "Now tracking this page's link to my-site.example. "
        "Checked just now: the link is there and followed."
    )
    assert not popup.is_visible("#track-chooser")
    [backlink] = tracked(api_server, page.url)
    assert backlink["target"] == "my-site.example"
    # What the dashboard shows: a result and a time, not "Not checked".
    assert backlink["last_result"] == "live-followed"
    assert backlink["last_checked_at"] is not None
    history = api_get(api_server, f"/api/v1/backlinks/{backlink['id']}")["history"]
    assert [check["result"] for check in history] == ["live-followed"]

    popup.click("#track-backlink")
    assert feedback(popup, "ok") == (
        "Already tracking this page's link to my-site.example. "
        "Checked just now: the link is there and followed."
    )
    assert len(tracked(api_server, page.url)) == 1


def test_several_linked_sites_ask_which_one_and_the_keyboard_can_answer(
    ext: Browser,
    page_server: LoopbackServer,
    api_server: LoopbackServer,
    two_sites: None,
    artifacts: Path,
) -> None:
    page = ext.open(f"{page_server.url}/several-sites.html")
    popup = ext.popup(page)
    button = popup.locator("#track-backlink")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert button.get_attribute("aria-controls") == "track-chooser"
    group = popup.get_by_role("radiogroup", name="Which of your sites?")
    choices = group.get_by_role("radio")
    assert choices.count() == 2
    assert " ".join(group.inner_text().split()) == (
        "my-site.example (not followed) my-other-site.example (followed)"
    )
    assert popup.evaluate("document.activeElement.value") == "my-site.example"
    popup.set_viewport_size({"width": 800, "height": 600})
    popup.screenshot(path=artifacts / "track-backlink-chooser.png")

    popup.keyboard.press("ArrowDown")
    popup.keyboard.press("Enter")
    assert not popup.is_visible("#track-chooser")
    assert popup.evaluate("document.activeElement.id") == "track-backlink"
    # The link was added by a script: the served HTML does not have it, so the server
    # renders the page in Chromium, finds it, and says it is at risk (only crawlers that
    # run scripts see it).
    message = feedback(popup, "info")
    assert message == (
        "Now tracking this page's link to my-other-site.example. "
        "Checked just now: the link is there and followed, but at risk: added by script."
    )
    [backlink] = tracked(api_server, page.url)
    assert (backlink["target"], backlink["last_result"]) == (
        "my-other-site.example",
        "live-followed",
    )
    assert backlink["last_risks"] == ["script_only"]
    popup.screenshot(path=artifacts / "track-backlink-checked.png")


def test_escape_closes_the_chooser_without_tracking_and_the_first_site_is_the_default(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer, two_sites: None
) -> None:
    page = ext.open(f"{page_server.url}/several-sites.html?from=escape")
    popup = ext.popup(page)
    popup.click("#track-backlink")
    popup.wait_for_selector("#track-chooser")
    popup.keyboard.press("Escape")
    assert not popup.is_visible("#track-chooser")
    assert popup.get_attribute("#track-backlink", "aria-expanded") == "false"
    assert popup.evaluate("document.activeElement.id") == "track-backlink"
    assert tracked(api_server, page.url) == []

    popup.click("#track-backlink")
    popup.get_by_role("button", name="Track and check").click()
    assert feedback(popup, "info") == (
        "Now tracking this page's link to my-site.example. "
        "Checked just now: the link is there but not followed (rel=nofollow)."
    )
    [backlink] = tracked(api_server, page.url)
    assert (backlink["target"], backlink["last_result"]) == ("my-site.example", "live-nofollow")


def test_a_failed_first_check_still_says_the_link_is_tracked(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html?from=check-fails")
    popup = ext.popup(page)
    popup.route(
        "**/api/v1/backlinks/*/check",
        lambda route: route.fulfill(
            status=503,
            json={"error": {"code": "database_unavailable", "message": "The database is busy."}},
        ),
    )
    popup.click("#track-backlink")
    assert feedback(popup, "error") == (
        "Now tracking this page's link to my-site.example. The first check failed: "
        "The database is busy. Use Check now on the dashboard."
    )
    [backlink] = tracked(api_server, page.url)
    assert backlink["last_checked_at"] is None


def test_track_this_backlink_is_hidden_when_the_page_does_not_link_to_me(
    ext: Browser, page_server: LoopbackServer
) -> None:
    popup = ext.popup(ext.open(f"{page_server.url}/dynamic.html"))
    assert not popup.is_visible("#track-backlink")
    assert popup.is_visible("#save-prospect")
