"""Firefox: Debian's firefox-esr, driven over WebDriver BiDi by tests/firefox/popup_smoke.mjs.

The node script installs a copy of the extension temporarily (BiDi `webExtension.install`),
fills the options page with the real server's URL and token, opens a test page and the
popup page with `?tabId=N`, and prints what it saw as one JSON line. The tests here assert.
Like the Chromium tests, the copy's manifest adds `http://127.0.0.1/*` as a host permission,
standing in for the user's click (activeTab); the shipped manifest stays as it is.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from server import create_app
from tests.browser.harness import RequestRecorder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXTENSION = ROOT / "extension"
PAGES = HERE / "pages"
NODE_MODULES = HERE / "node_modules"
FIREFOX = Path("/usr/bin/firefox-esr")
SCREENSHOT = ROOT / "artifacts" / "firefox-popup.png"
HIGHLIGHT_SCREENSHOT = ROOT / "artifacts" / "firefox-highlighted-page.png"
API_TOKEN = "firefox-test-token"
MY_SITES = ["my-site.example"]
COMPETITORS = ["rival.example", "absent-rival.example"]
# Fixed, so the popup's moz-extension:// URL is known before the install.
EXTENSION_UUID = "4b1f2c5e-8a7d-4e0b-9c3a-1d2e3f405162"
NODE_TIMEOUT_S = 90


def require_tools() -> None:
    """Fail, never skip: a missing Firefox or npm package is a broken test setup."""
    assert FIREFOX.exists(), "Firefox tests need Debian's firefox-esr: apt-get install firefox-esr"
    assert (NODE_MODULES / "puppeteer-core").is_dir(), (
        "Firefox tests need their npm packages: "
        "PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/firefox"
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def api_recorder() -> RequestRecorder:
    """What the extension POSTed to the API, body by body."""
    return RequestRecorder(None)


@pytest.fixture(scope="module")
def api_url(
    tmp_path_factory: pytest.TempPathFactory, api_recorder: RequestRecorder
) -> Iterator[str]:
    """The real Flask app, with an API token, on 127.0.0.1 and a free port."""
    app = create_app({"TESTING": True, "API_TOKEN": API_TOKEN})
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    api_recorder.app = app.wsgi_app
    app.wsgi_app = api_recorder  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    """tests/firefox/pages on 127.0.0.1, a port of its own (another site than the API)."""
    handler = functools.partial(_QuietHandler, directory=str(PAGES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def extension_copy_with_loopback_access(target: Path) -> tuple[Path, str]:
    """A copy of extension/ whose manifest grants 127.0.0.1; returns it and its gecko id."""
    shutil.copytree(EXTENSION, target, ignore=shutil.ignore_patterns("*.test.js", "node_modules"))
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["host_permissions"] = ["http://127.0.0.1/*"]
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return target, manifest["browser_specific_settings"]["gecko"]["id"]


@pytest.fixture(scope="module")
def firefox_run(
    tmp_path_factory: pytest.TempPathFactory, api_url: str, pages_url: str
) -> dict[str, Any]:
    """One Firefox session through options and popup; what the node script reported."""
    require_tools()
    extension_dir, extension_id = extension_copy_with_loopback_access(
        tmp_path_factory.mktemp("firefox") / "extension"
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    for old in (SCREENSHOT, HIGHLIGHT_SCREENSHOT):
        old.unlink(missing_ok=True)
    config = {
        "extensionDir": str(extension_dir),
        "extensionId": extension_id,
        "extensionUuid": EXTENSION_UUID,
        "pageUrl": f"{pages_url}/smoke.html",
        "waitFor": "#late",
        "serverUrl": api_url,
        "apiToken": API_TOKEN,
        "sites": MY_SITES,
        "competitors": COMPETITORS,
        "screenshot": str(SCREENSHOT),
        "highlightScreenshot": str(HIGHLIGHT_SCREENSHOT),
        "shippedExtensionDir": str(EXTENSION),
    }
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    # One more try when Firefox itself closed its first window before the script could use
    # it (seen on a loaded 2-core machine): a start-up race, not what the test looks at.
    for attempt in (1, 2):
        try:
            done = subprocess.run(
                ["node", str(HERE / "popup_smoke.mjs"), json.dumps(config)],
                capture_output=True,
                text=True,
                timeout=NODE_TIMEOUT_S,
                env=env,
                check=False,
            )
        finally:
            _kill_leftover_firefox()
        if done.returncode == 0 or "Target closed" not in done.stderr or attempt == 2:
            break
    assert done.returncode == 0, f"popup_smoke.mjs failed:\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(done.stdout)
    report = {key: value for key, value in result.items() if key != "page"}
    (SCREENSHOT.parent / "firefox-smoke.json").write_text(json.dumps(report, indent=2))
    return result


def _kill_leftover_firefox() -> None:
    """If the script died, Firefox (its own process group, puppeteer's temporary profile) may
    live on, and orphaned content processes were seen growing to gigabytes: kill the group."""
    found = subprocess.run(
        ["pgrep", "-f", "puppeteer_dev_firefox_profile"], capture_output=True, text=True
    )
    for pid in found.stdout.split():
        try:
            group = os.getpgid(int(pid))
            if group != os.getpgrp():
                os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
