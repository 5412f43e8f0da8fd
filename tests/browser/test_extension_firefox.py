"""Firefox smoke test: Debian's firefox-esr, the extension installed over WebDriver BiDi."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.browser.harness import API_TOKEN, LoopbackServer, extension_copy_with_loopback_access

FIREFOX_DIR = Path(__file__).resolve().parent / "firefox"


def test_popup_lists_the_links_in_firefox(
    api_server: LoopbackServer, page_server: LoopbackServer, tmp_path: Path
) -> None:
    extension = extension_copy_with_loopback_access(tmp_path / "extension", test_opener=True)
    page_url = f"{page_server.url}/links.html"
    run = subprocess.run(
        [
            "node",
            "popup_smoke.mjs",
            str(extension),
            page_url,
            api_server.url,
            API_TOKEN,
            str(tmp_path / "profile"),
        ],
        cwd=FIREFOX_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ready"], result["status"]
    assert len(result["rows"]) == 15
    assert ["https://blog.example/post", "false"] in result["rows"]
    assert ["https://tools.example/trowel?ref=review", "true"] in result["rows"]
    assert "Yes · 1 link · followed" in result["mySite"]
    assert result["outline"] == "rgb(213, 94, 0)"
