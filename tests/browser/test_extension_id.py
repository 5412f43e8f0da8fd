"""The manifest key pins the Chrome/Edge extension ID: the same ID from any folder, unpacked
or from the packaged build, so LINKINSPECTOR_EXTENSION_ORIGINS never has to change."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Playwright

from tests.browser.harness import (
    CHROMIUM_ARGS,
    EXTENSION,
    ROOT,
    Browser,
    service_worker,
    wait_until,
)

DOCUMENTED_ID = "iefdkgbkpclpiiaafcnjncgpojdmiidm"


def launch_unpacked(playwright: Playwright, folder: Path, profile: Path) -> BrowserContext:
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path="/usr/bin/chromium",
        headless=False,
        ignore_default_args=["--disable-extensions"],
        args=[
            *CHROMIUM_ARGS,
            f"--disable-extensions-except={folder}",
            f"--load-extension={folder}",
        ],
    )


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged build, made by the README's command into a folder of its own."""
    out = tmp_path_factory.mktemp("elsewhere") / "dist"
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-extension"), "--out", str(out), "--skip-lint"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def from_the_zip(
    playwright: Playwright, packaged: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """A second Chromium, with the Chrome zip unpacked into another folder and loaded."""
    tmp = tmp_path_factory.mktemp("unzipped")
    folder = tmp / "somewhere" / "else" / "link-inspector"
    version = json.loads((EXTENSION / "manifest.json").read_text())["version"]
    with zipfile.ZipFile(packaged / f"link-inspector-{version}-chrome.zip") as archive:
        archive.extractall(folder)
    context = launch_unpacked(playwright, folder, tmp / "profile")
    try:
        worker = service_worker(context)
        yield Browser(context, worker, worker.url.split("/")[2])
    finally:
        context.close()


def test_the_documented_id_is_the_one_the_manifest_key_gives() -> None:
    key = json.loads((EXTENSION / "manifest.json").read_text())["key"]
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    assert digest.translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop")) == DOCUMENTED_ID


def test_unpacked_from_two_different_folders_chromium_gives_the_same_id(
    browser: Browser, from_the_zip: Browser
) -> None:
    # `browser` loads a copy of extension/ from one temporary folder, `from_the_zip` the
    # packaged Chrome zip unpacked into another: without the key each would get an ID
    # derived from its path.
    assert browser.extension_id == DOCUMENTED_ID
    assert from_the_zip.extension_id == DOCUMENTED_ID


def test_the_packaged_extension_runs_its_options_and_popup_without_errors(
    from_the_zip: Browser,
) -> None:
    errors: list[str] = []
    options = from_the_zip.context.new_page()
    options.on("pageerror", lambda error: errors.append(str(error)))
    options.goto(from_the_zip.extension_url("options/options.html"))
    wait_until(options, "document.querySelector('#server-url').value !== ''")
    assert options.input_value("#server-url") == "http://127.0.0.1:8750"
    # The popup pointed at the options tab: every module loads, and it explains that
    # extension pages cannot be inspected.
    popup = from_the_zip.context.new_page()
    popup.on("pageerror", lambda error: errors.append(str(error)))
    tab_id = from_the_zip.tab_id(options.url)
    popup.goto(from_the_zip.extension_url(f"popup/popup.html?tabId={tab_id}"))
    popup.wait_for_selector(".state.blocked")
    assert errors == []
