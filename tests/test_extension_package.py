"""The packaged extension (scripts/build-extension): what goes in each zip, that Mozilla's
linter accepts the Firefox package, that a rebuild is byte-identical, and the Chrome ID.

Loading the packages in a real Chromium is tests/browser/test_extension_id.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
VERSION = json.loads((EXTENSION / "manifest.json").read_text())["version"]
CHROME = f"link-inspector-{VERSION}-chrome.zip"
STORE = f"link-inspector-{VERSION}-chrome-web-store.zip"
FIREFOX = f"link-inspector-{VERSION}-firefox.zip"
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")
# Split so this file does not match itself.
PEM_PRIVATE_KEY = b"PRIVATE " + b"KEY-----"
HTML_REFERENCE = re.compile(r"""\b(?:src|href)="([^":#?]+)\"""")


def chromium_id(public_key_b64: str) -> str:
    """Computed here independently of the build script, as Chromium documents it."""
    digest = hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:32]
    return digest.translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop"))


def run_build(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-extension"), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One full build, as CI and a user run it (lint warnings count as failures here)."""
    out = tmp_path_factory.mktemp("dist")
    done = run_build(out, "--strict")
    assert done.returncode == 0, done.stderr + done.stdout
    return out, done.stdout


def zip_manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def shipped_sources() -> set[str]:
    return {
        p.relative_to(EXTENSION).as_posix()
        for p in EXTENSION.rglob("*")
        if p.is_file() and not p.name.endswith(".test.js")
    }


def test_the_build_makes_a_chrome_zip_a_store_zip_and_a_firefox_package(
    built: tuple[Path, str],
) -> None:
    out, report = built
    for name in (CHROME, STORE, FIREFOX):
        assert zipfile.ZipFile(out / name).testzip() is None
        assert name in report
    assert (out / "chrome" / "manifest.json").is_file()
    assert (out / "firefox" / "manifest.json").is_file()
    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert sorted(line.split()[1] for line in sums) == sorted([CHROME, STORE, FIREFOX])
    for line in sums:
        digest, name = line.split()
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_mozillas_linter_accepts_the_firefox_package_without_a_warning(
    built: tuple[Path, str],
) -> None:
    # The build ran web-ext lint --warnings-as-errors on the zip's contents (--strict).
    assert "web-ext lint (Firefox package): 0 errors, 0 warnings" in built[1]


def test_every_package_holds_the_extension_files_unchanged_and_no_unit_tests(
    built: tuple[Path, str],
) -> None:
    out, _ = built
    expected = shipped_sources()
    assert "popup/popup.js" in expected and "manifest.json" in expected
    for name in (CHROME, STORE, FIREFOX):
        with zipfile.ZipFile(out / name) as archive:
            assert set(archive.namelist()) == expected, name
            for entry in expected - {"manifest.json"}:
                assert archive.read(entry) == (EXTENSION / entry).read_bytes(), entry


def test_every_module_script_and_stylesheet_a_page_loads_is_in_the_package(
    built: tuple[Path, str],
) -> None:
    with zipfile.ZipFile(built[0] / CHROME) as archive:
        names = set(archive.namelist())
        for name in sorted(names):
            if not name.endswith((".js", ".html")):
                continue
            text = archive.read(name).decode()
            pattern = IMPORT if name.endswith(".js") else HTML_REFERENCE
            for reference in pattern.findall(text):
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), reference))
                assert resolved in names, f"{name} loads {reference}"


def test_manifests_keep_each_browser_to_its_own_keys(built: tuple[Path, str]) -> None:
    out, _ = built
    source = json.loads((EXTENSION / "manifest.json").read_text())
    chrome, store, firefox = (zip_manifest(out / name) for name in (CHROME, STORE, FIREFOX))
    assert chrome["key"] == source["key"]
    assert "browser_specific_settings" not in chrome
    assert chrome["background"] == {
        "service_worker": source["background"]["service_worker"],
        "type": "module",
    }
    # The Chrome Web Store refuses a manifest with "key"; otherwise the same manifest.
    assert "key" not in store
    assert store == {k: v for k, v in chrome.items() if k != "key"}
    assert "key" not in firefox
    assert firefox["background"] == {"scripts": source["background"]["scripts"], "type": "module"}
    assert firefox["browser_specific_settings"] == source["browser_specific_settings"]
    assert firefox["browser_specific_settings"]["gecko"]["id"] == (
        "link-inspector@link-inspector.invalid"
    )
    for manifest in (chrome, store, firefox):
        assert manifest["version"] == source["version"]
        assert manifest["permissions"] == source["permissions"]
    assert json.loads((out / "chrome" / "manifest.json").read_text()) == chrome
    assert json.loads((out / "firefox" / "manifest.json").read_text()) == firefox


def test_a_rebuild_is_byte_for_byte_identical(built: tuple[Path, str], tmp_path: Path) -> None:
    done = run_build(tmp_path, "--skip-lint")
    assert done.returncode == 0, done.stderr
    for name in (CHROME, STORE, FIREFOX):
        assert (tmp_path / name).read_bytes() == (built[0] / name).read_bytes(), name
    with zipfile.ZipFile(tmp_path / CHROME) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist() == sorted(archive.namelist())


def test_the_extension_id_is_printed_and_documented_where_users_copy_it(
    built: tuple[Path, str],
) -> None:
    key = json.loads((EXTENSION / "manifest.json").read_text())["key"]
    origin = f"chrome-extension://{chromium_id(key)}"
    assert f"LINKINSPECTOR_EXTENSION_ORIGINS={origin}" in built[1]
    assert origin in (ROOT / "docs" / "extension.md").read_text()
    assert origin in (ROOT / "README.md").read_text()


def test_a_team_can_build_under_its_own_firefox_id_and_chrome_key(tmp_path: Path) -> None:
    private = tmp_path / "team-key.pem"
    public = tmp_path / "team-key.pub.pem"
    subprocess.run(
        [
            "openssl",
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            str(private),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)],
        check=True,
        capture_output=True,
    )
    out = tmp_path / "dist"
    done = run_build(
        out,
        "--strict",
        "--gecko-id",
        "link-inspector@team.example",
        "--public-key",
        str(public),
        "--update-url",
        "https://links.team.example/extension/updates.xml",
        "--gecko-update-url",
        "https://links.team.example/extension/updates.json",
    )
    assert done.returncode == 0, done.stderr + done.stdout
    # A self-distributed Firefox package may carry its own update_url; the linter agrees.
    assert "web-ext lint (Firefox package): 0 errors, 0 warnings" in done.stdout
    chrome, store, firefox = (zip_manifest(out / name) for name in (CHROME, STORE, FIREFOX))
    team_key = "".join(public.read_text().splitlines()[1:-1])
    assert chrome["key"] == team_key
    assert chrome["update_url"] == "https://links.team.example/extension/updates.xml"
    assert "key" not in store and "update_url" not in store
    assert f"chrome-extension://{chromium_id(team_key)}" in done.stdout
    assert firefox["browser_specific_settings"]["gecko"] == {
        **json.loads((EXTENSION / "manifest.json").read_text())["browser_specific_settings"][
            "gecko"
        ],
        "id": "link-inspector@team.example",
        "update_url": "https://links.team.example/extension/updates.json",
    }
    # A private key is refused, so it cannot end up in a manifest by mistake.
    refused = run_build(tmp_path / "other", "--skip-lint", "--public-key", str(private))
    assert refused.returncode == 1
    assert "never pass the private key" in refused.stderr
    assert not (tmp_path / "other").exists()


def test_no_private_key_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        path = ROOT / name.decode()
        if path.is_file():
            assert PEM_PRIVATE_KEY not in path.read_bytes(), name
