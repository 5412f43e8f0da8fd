"""Firefox smoke test: Debian's firefox-esr, the extension installed over WebDriver BiDi."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from tests.browser.harness import API_TOKEN, LoopbackServer, extension_copy_with_loopback_access

FIREFOX_DIR = Path(__file__).resolve().parent / "firefox"


def test_popup_lists_the_links_in_firefox(
    api_server: LoopbackServer, page_server: LoopbackServer, tmp_path: Path
) -> None:
    extension = extension_copy_with_loopback_access(tmp_path / "extension", test_opener=True)
    page_url = f"{page_server.url}/links.html"
    try:
        run = _run_smoke(extension, page_url, api_server, tmp_path / "profile")
    finally:
        _kill_firefox_using(tmp_path / "profile")
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ready"], result["status"]
    assert len(result["rows"]) == 15
    assert ["https://blog.example/post", "false"] in result["rows"]
    assert ["https://tools.example/trowel?ref=review", "true"] in result["rows"]
    assert "Yes · 1 link · followed" in result["mySite"]
    assert result["outline"] == "rgb(213, 94, 0)"


def _run_smoke(
    extension: Path, page_url: str, api_server: LoopbackServer, profile: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "node",
            "popup_smoke.mjs",
            str(extension),
            page_url,
            api_server.url,
            API_TOKEN,
            str(profile),
        ],
        cwd=FIREFOX_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )


def _kill_firefox_using(profile: Path) -> None:
    """A node script that dies or times out leaves Firefox (its own process group) running,
    and orphaned content processes were seen growing to gigabytes: kill the whole group."""
    found = subprocess.run(["pgrep", "-f", str(profile)], capture_output=True, text=True)
    for pid in found.stdout.split():
        try:
            group = os.getpgid(int(pid))
            if group != os.getpgrp():
                os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
