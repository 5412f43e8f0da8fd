"""The options page: settings persist, and "Test connection" says what is wrong."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.harness import (
    API_TOKEN,
    COMPETITORS,
    MY_SITES,
    Browser,
    LoopbackServer,
    save_options,
    wait_until,
)


@pytest.fixture
def restore_settings(ext: Browser, api_server: LoopbackServer) -> Iterator[None]:
    yield
    save_options(ext, api_server.url, API_TOKEN, MY_SITES, COMPETITORS).close()


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_connection(page: Page, server_url: str, token: str) -> str:
    page.fill("#server-url", server_url)
    page.fill("#api-token", token)
    page.click("#test-connection")
    page.wait_for_selector("#connection-result.ok, #connection-result.error")
    return page.inner_text("#connection-result")


test_connection.__test__ = False  # type: ignore[attr-defined]


def test_settings_persist_across_reload(
    ext: Browser, api_server: LoopbackServer, restore_settings: None, artifacts: Path
) -> None:
    page = save_options(
        ext,
        api_server.url + "/",
        "another-token",
        ["a.example", "", "b.example/blog/", "a.example"],
        ["rival.example"],
    )
    page.reload()
    wait_until(page, "document.getElementById('server-url').value !== ''")
    assert page.input_value("#server-url") == api_server.url  # trailing slash dropped
    assert page.input_value("#api-token") == "another-token"
    assert page.input_value("#sites") == "a.example\nb.example/blog/"
    assert page.input_value("#competitors") == "rival.example"
    stored = ext.worker.evaluate(
        "async () => [await chrome.storage.sync.get(null), await chrome.storage.local.get(null)]"
    )
    assert stored[0] == {
        "serverUrl": api_server.url,
        "sites": ["a.example", "b.example/blog/"],
        "competitors": ["rival.example"],
    }
    assert stored[1] == {"apiToken": "another-token"}
    page.set_viewport_size({"width": 900, "height": 720})
    page.screenshot(path=artifacts / "options.png", full_page=True)


def test_connection_succeeds_with_the_right_token(ext: Browser, api_server: LoopbackServer) -> None:
    message = test_connection(ext.options(), api_server.url, API_TOKEN)
    assert "Connected to Link Inspector" in message
    assert "token is accepted" in message


def test_connection_reports_a_wrong_token_naming_the_servers_setting(
    ext: Browser, api_server: LoopbackServer
) -> None:
    page = ext.options()
    assert test_connection(page, api_server.url, "wrong") == (
        "The server rejected the API token. Copy the server's LINKINSPECTOR_API_TOKEN into Options."
    )
    assert test_connection(page, api_server.url, "") == (
        "The server requires an API token: enter the server's LINKINSPECTOR_API_TOKEN in Options."
    )


def test_the_token_field_names_the_setting_as_the_server_reads_it(ext: Browser) -> None:
    page = ext.options()
    help_id = page.get_attribute("#api-token", "aria-describedby")
    assert help_id
    assert "LINKINSPECTOR_API_TOKEN" in page.inner_text(f"#{help_id}")


def test_connection_reports_a_stopped_server(ext: Browser) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    message = test_connection(ext.options(), url, API_TOKEN)
    assert f"No server is running at {url}" in message


def test_connection_reports_a_server_that_is_not_link_inspector(
    ext: Browser, page_server: LoopbackServer
) -> None:
    message = test_connection(ext.options(), page_server.url, API_TOKEN)
    assert "not a Link Inspector server" in message


def test_an_invalid_server_url_is_refused_with_a_reason(ext: Browser) -> None:
    page = ext.options()
    page.fill("#server-url", "ftp://127.0.0.1/")
    page.click("#save")
    page.wait_for_selector("#save-result.error")
    assert "http:// or https://" in page.inner_text("#save-result")


def test_popup_reports_a_stopped_server_plainly(
    ext: Browser, page_server: LoopbackServer, restore_settings: None
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    save_options(ext, url, API_TOKEN, MY_SITES, COMPETITORS).close()
    popup = ext.popup(ext.open(f"{page_server.url}/links.html"), expect_table=False)
    assert f"No server is running at {url}" in popup.inner_text(".state.error")
    assert not popup.is_visible(".spinner")


def test_popup_reports_a_wrong_token_plainly(
    ext: Browser, api_server: LoopbackServer, page_server: LoopbackServer, restore_settings: None
) -> None:
    save_options(ext, api_server.url, "wrong", MY_SITES, COMPETITORS).close()
    popup = ext.popup(ext.open(f"{page_server.url}/links.html"), expect_table=False)
    assert "rejected the API token" in popup.inner_text(".state.error")


def test_connection_names_the_origin_to_allow_when_the_server_refuses_it(
    ext: Browser, api_server: LoopbackServer
) -> None:
    page = ext.options()
    page.route(
        "**/api/v1/health",
        lambda route: route.fulfill(
            status=403, json={"error": {"code": "forbidden_origin", "message": "Refused."}}
        ),
    )
    message = test_connection(page, api_server.url, API_TOKEN)
    assert f"Add chrome-extension://{ext.extension_id} to" in message
    assert "LINKINSPECTOR_EXTENSION_ORIGINS" in message
