"""The extension in Debian's Firefox ESR: installed, configured, and its popup's table."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.browser.harness import RequestRecorder
from tests.firefox.conftest import (
    API_TOKEN,
    COMPETITORS,
    HIGHLIGHT_SCREENSHOT,
    MY_SITES,
    SCREENSHOT,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def api_analysis(api_url: str, page: dict[str, Any]) -> dict[str, Any]:
    """What the API answers for the page's live DOM as Firefox had it, asked directly."""
    body = {"url": page["url"], "html": page["html"], "sites": MY_SITES, "competitors": COMPETITORS}
    request = urllib.request.Request(
        f"{api_url}/api/v1/analyze",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {API_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.load(response)
    return result


def test_firefox_installs_the_extension_temporarily_under_its_gecko_id(
    firefox_run: dict[str, Any],
) -> None:
    assert firefox_run["firefox"].startswith("firefox/")
    assert firefox_run["installedId"] == "link-inspector@link-inspector.invalid"
    assert "http://127.0.0.1/*" in firefox_run["options"]["permissions"]["origins"]


def test_options_page_saves_settings_and_reaches_the_server_with_the_token(
    firefox_run: dict[str, Any], api_url: str
) -> None:
    options = firefox_run["options"]
    assert options["saved"] == {"text": "Saved.", "kind": "result ok"}
    assert options["connection"]["kind"] == "result ok"
    assert "the API token is accepted" in options["connection"]["text"]
    assert options["stored"] == {
        "serverUrl": api_url,
        "sites": MY_SITES,
        "competitors": COMPETITORS,
        "apiTokenSet": True,
    }


def test_popup_table_equals_the_api_answer_for_the_live_page(
    firefox_run: dict[str, Any], api_url: str
) -> None:
    popup = firefox_run["popup"]
    assert popup["ready"], f"popup did not show a table: {popup['status']}"
    # Firefox ran the second read too: the page's layout told which links can be seen.
    assert popup["live"] == "known"
    expected = api_analysis(api_url, firefox_run["page"])
    # The page's outerHTML has no shadow root: the popup lists the closed root's link besides.
    assert [row for row in popup["rows"] if "shadow.example" not in row[0]] == [
        [link["href"], "true" if link["follow"] else "false"] for link in expected["links"]
    ]
    assert popup["total"] == str(expected["summary"]["total"] + 1) == "11"


def test_firefox_reads_the_closed_shadow_root_and_sends_the_contract_fields(
    firefox_run: dict[str, Any], api_recorder: RequestRecorder
) -> None:
    # The options page's "Test connection" and this module's own checks post pages too.
    body = next(b for _, b in api_recorder.bodies if b and "live_links" in b)
    assert body["url"].endswith("/smoke.html")
    hrefs = [link["href"] for link in body["live_links"]]
    assert "https://shadow.example/pumps" in hrefs
    assert '<template shadowrootmode="closed">' in body["html"]
    assert ["https://shadow.example/pumps", "true"] in firefox_run["popup"]["rows"]
    assert {link["hidden"] for link in body["live_links"]} == {False}
    assert body["served_html"].startswith("<!doctype html>")
    assert "added-by-script" not in body["served_html"].split("<script>")[0]


def test_popup_sees_the_link_page_javascript_added_after_load(
    firefox_run: dict[str, Any],
) -> None:
    rows = firefox_run["popup"]["rows"]
    assert ["https://added-by-script.example/later", "false"] in rows
    assert ["https://pumps.example/solar?ref=review", "true"] in rows
    assert ["https://shop.example/p/7", "false"] in rows


def test_popup_says_the_page_links_to_my_site_and_one_competitor(
    firefox_run: dict[str, Any],
) -> None:
    popup = firefox_run["popup"]
    assert "1 link\nYes · followed" in popup["mySite"]
    assert "1 link\nYes · nofollow only" in popup["competitors"]["rival.example"]
    assert popup["competitors"]["absent-rival.example"].endswith("No")


def test_popup_screenshot_is_saved_for_review(firefox_run: dict[str, Any]) -> None:
    assert firefox_run["popup"]["ready"]
    data = SCREENSHOT.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000, "a popup with a ten-row table is not a near-empty image"


def test_background_script_shows_followed_external_count_on_the_badge(
    firefox_run: dict[str, Any],
) -> None:
    # Two in the page's light DOM and one in its closed shadow root.
    assert firefox_run["badge"] == "3"


def test_highlight_outlines_the_links_and_toggling_off_leaves_no_trace(
    firefox_run: dict[str, Any],
) -> None:
    highlight = firefox_run["highlight"]
    # All ten links on the page are http(s): three internal, seven external, each outlined.
    assert highlight["on"] == {"outlined": 10, "styled": 10, "overlay": 1}
    assert highlight["off"] == {"outlined": 0, "styled": 0, "overlay": 0}
    assert HIGHLIGHT_SCREENSHOT.read_bytes().startswith(PNG_SIGNATURE)


def test_shipped_manifest_gets_the_server_origin_when_options_are_saved(
    firefox_run: dict[str, Any], api_url: str
) -> None:
    # The shipped manifest asks for no host; Save requests the server's origin from a user
    # input handler (prompts are switched off by pref, the user-input rule is not).
    shipped = firefox_run["shipped"]
    assert shipped["installedId"] == "link-inspector@link-inspector.invalid"
    assert shipped["before"]["origins"] == []
    assert shipped["saved"] == {"text": "Saved.", "kind": "result ok"}
    assert shipped["permissions"]["origins"] == ["http://127.0.0.1/*"]
    assert shipped["connection"]["kind"] == "result ok", shipped["connection"]["text"]
    assert shipped["stored"]["serverUrl"] == api_url


def test_a_frame_on_another_site_is_read_once_the_user_allows_that_site(
    firefox_run: dict[str, Any], api_url: str
) -> None:
    grant = firefox_run["grant"]
    assert grant is not None
    assert "1 frame was not read (localhost)" in (grant["before"]["banner"] or "")
    assert not any(href and href.endswith("/from-frame") for href in grant["before"]["rows"])
    assert grant["after"] is not None, "the frame's links never came"
    assert grant["after"]["banner"] is None
    port = firefox_run["page"]["url"].split(":")[2].split("/")[0]
    assert f"http://localhost:{port}/from-frame" in grant["after"]["rows"]
    assert "http://localhost/*" in grant["permissions"]["origins"]
