"""Mozilla's linter (web-ext lint, the addons.mozilla.org validator) accepts the extension."""

from __future__ import annotations

import json
import os
import subprocess

from tests.firefox.conftest import EXTENSION, NODE_MODULES, require_tools


def test_web_ext_lint_reports_no_errors() -> None:
    require_tools()
    done = subprocess.run(
        [
            str(NODE_MODULES / ".bin" / "web-ext"),
            "lint",
            "--source-dir",
            str(EXTENSION),
            "--output",
            "json",
            "--no-config-discovery",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
        check=False,
    )
    report = json.loads(done.stdout)
    assert report["errors"] == [], json.dumps(report["errors"], indent=2)
    assert report["summary"]["errors"] == 0
    assert report["metadata"]["id"] == "link-inspector@link-inspector.invalid"
