"""Package extension/ for installing for real: Chrome/Edge and Firefox, reproducibly.

Writes into --out (default dist/):

  chrome/                                    unpacked tree with the manifest "key": Load unpacked
  link-inspector-<version>-chrome.zip        the same tree, zipped (self-distribution, CRX packing)
  link-inspector-<version>-chrome-web-store.zip   for the Chrome Web Store and Edge Add-ons
  firefox/                                   unpacked tree: web-ext sign --source-dir dist/firefox
  link-inspector-<version>-firefox.zip       for addons.mozilla.org (unsigned)
  SHA256SUMS

Zips are byte-for-byte reproducible: entries sorted, fixed timestamps and modes, so anyone can
rebuild a commit and compare it with what was uploaded. See docs/extension.md.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "extension"
WEB_EXT = ROOT / "tests" / "firefox" / "node_modules" / ".bin" / "web-ext"
# The earliest time a zip can hold: no build date leaks into the package.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """Something the person building must fix; the message says what."""


@dataclass(frozen=True, slots=True)
class Artifact:
    path: Path
    meaning: str


def extension_id(public_key_b64: str) -> str:
    """Chromium's ID for a manifest "key": the SHA-256 of the DER public key, first 32 hex
    digits written with the letters a-p (0 -> a ... f -> p)."""
    try:
        der = base64.b64decode(public_key_b64, validate=True)
    except binascii.Error:
        raise BuildError("the manifest key is not base64") from None
    digest = hashlib.sha256(der).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


def public_key_from_pem(text: str) -> str:
    """The manifest "key" for a PEM public key (`openssl pkey -pubout`): its base64 body."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if (
        not lines
        or lines[0] != "-----BEGIN PUBLIC KEY-----"
        or lines[-1] != ("-----END PUBLIC KEY-----")
    ):
        raise BuildError(
            "--public-key wants a PEM public key (-----BEGIN PUBLIC KEY-----), made with "
            "`openssl pkey -in key.pem -pubout`; never pass the private key"
        )
    body = "".join(lines[1:-1])
    extension_id(body)  # validates the base64
    return body


def shipped_files(source: Path) -> list[Path]:
    """Every file of the extension but its unit tests and hidden or editor files, sorted."""
    files = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if "node_modules" in relative.parts or path.name.endswith((".test.js", "~")):
            continue
        files.append(relative)
    return files


def chrome_manifest(
    manifest: dict[str, Any], *, store: bool, update_url: str | None = None
) -> dict[str, Any]:
    """Chromium reads background.service_worker and warns about Firefox's keys: drop them."""
    result = copy.deepcopy(manifest)
    result.pop("browser_specific_settings", None)
    result.get("background", {}).pop("scripts", None)
    if store:
        # The Chrome Web Store refuses a manifest with "key", gives the item its own ID and
        # serves the updates itself.
        result.pop("key", None)
        result.pop("update_url", None)
    elif update_url:
        result["update_url"] = update_url  # where a self-hosted CRX looks for updates
    return result


def firefox_manifest(
    manifest: dict[str, Any], gecko_id: str | None = None, update_url: str | None = None
) -> dict[str, Any]:
    """Firefox runs background.scripts (it has no extension service workers) and has no use
    for Chromium's "key"; its ID is browser_specific_settings.gecko.id."""
    result = copy.deepcopy(manifest)
    result.pop("key", None)
    result.pop("update_url", None)
    result.get("background", {}).pop("service_worker", None)
    gecko = result["browser_specific_settings"]["gecko"]
    if gecko_id:
        gecko["id"] = gecko_id
    if update_url:
        gecko["update_url"] = update_url  # where a self-distributed .xpi looks for updates
    return result


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()


def write_tree(target: Path, source: Path, files: list[Path], manifest: dict[str, Any]) -> None:
    if target.exists():
        shutil.rmtree(target)
    for relative in files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if relative == Path("manifest.json"):
            destination.write_bytes(manifest_bytes(manifest))
        else:
            shutil.copyfile(source / relative, destination)


def write_zip(target: Path, source: Path, files: list[Path], manifest: dict[str, Any]) -> None:
    """A zip whose bytes depend only on the files' contents (given the same zlib)."""
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for relative in files:
            info = zipfile.ZipInfo(relative.as_posix(), date_time=ZIP_TIME)
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            if relative == Path("manifest.json"):
                data = manifest_bytes(manifest)
            else:
                data = (source / relative).read_bytes()
            archive.writestr(info, data, compresslevel=9)
    partial.replace(target)


def check_references(files: list[Path], manifest: dict[str, Any]) -> None:
    """Every file the manifest names is shipped (a typo would only show in the browser)."""
    named = {
        *manifest.get("icons", {}).values(),
        *manifest.get("action", {}).get("default_icon", {}).values(),
        manifest.get("action", {}).get("default_popup"),
        manifest.get("options_ui", {}).get("page"),
        manifest.get("background", {}).get("service_worker"),
        *manifest.get("background", {}).get("scripts", []),
    }
    shipped = {relative.as_posix() for relative in files}
    missing = sorted(name for name in named if name and name not in shipped)
    if missing:
        raise BuildError(f"the manifest names files that are not in extension/: {missing}")


def lint_firefox(tree: Path, web_ext: Path, *, strict: bool, self_hosted: bool) -> str:
    """Mozilla's linter (what addons.mozilla.org runs on upload) on the Firefox package;
    `self_hosted` (an update_url of your own) drops the rules for listed add-ons."""
    if not web_ext.exists():
        raise BuildError(
            f"{web_ext} is missing: run `npm ci --prefix tests/firefox` (scripts/build-extension "
            "does), or pass --skip-lint"
        )
    command = [str(web_ext), "lint", "--source-dir", str(tree), "--output", "json"]
    command.append("--no-config-discovery")
    if self_hosted:
        command.append("--self-hosted")
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise BuildError(f"web-ext lint failed:\n{done.stdout}{done.stderr}") from None
    problems = report["errors"] + (report["warnings"] if strict else [])
    if problems:
        listed = "\n".join(f"  {p['code']}: {p['message']} ({p.get('file')})" for p in problems)
        raise BuildError(f"web-ext lint found problems in the Firefox package:\n{listed}")
    summary = report["summary"]
    return (
        f"{summary['errors']} errors, {summary['warnings']} warnings, {summary['notices']} notices"
    )


def build(
    out: Path,
    *,
    source: Path = SOURCE,
    gecko_id: str | None = None,
    public_key: str | None = None,
    update_url: str | None = None,
    gecko_update_url: str | None = None,
) -> tuple[list[Artifact], dict[str, Any], dict[str, Any]]:
    """Write the packages; returns them with the Chrome and Firefox manifests."""
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if public_key:
        manifest["key"] = public_key
    if "key" not in manifest:
        raise BuildError('extension/manifest.json has no "key": the Chrome ID would not be stable')
    files = shipped_files(source)
    for url in (update_url, gecko_update_url):
        if url and not url.startswith("https://"):
            raise BuildError(f"update URLs must be https:// (browsers refuse others): {url}")
    chrome = chrome_manifest(manifest, store=False, update_url=update_url)
    store = chrome_manifest(manifest, store=True)
    firefox = firefox_manifest(manifest, gecko_id, gecko_update_url)
    for each in (chrome, firefox):
        check_references(files, each)

    out.mkdir(parents=True, exist_ok=True)
    version = manifest["version"]
    chrome_id = extension_id(chrome["key"])
    gecko = firefox["browser_specific_settings"]["gecko"]["id"]
    artifacts = [
        Artifact(out / "chrome", f"Chrome/Edge, Load unpacked: chrome-extension://{chrome_id}"),
        Artifact(
            out / f"link-inspector-{version}-chrome.zip",
            "Chrome/Edge self-distribution (unzip and Load unpacked, or pack a CRX); same ID",
        ),
        Artifact(
            out / f"link-inspector-{version}-chrome-web-store.zip",
            'Chrome Web Store / Edge Add-ons upload (no "key": the store assigns the ID)',
        ),
        Artifact(out / "firefox", f"Firefox, web-ext sign --source-dir (gecko id {gecko})"),
        Artifact(
            out / f"link-inspector-{version}-firefox.zip",
            "Firefox: web-ext sign or addons.mozilla.org upload",
        ),
    ]
    write_tree(artifacts[0].path, source, files, chrome)
    write_zip(artifacts[1].path, source, files, chrome)
    write_zip(artifacts[2].path, source, files, store)
    write_tree(artifacts[3].path, source, files, firefox)
    write_zip(artifacts[4].path, source, files, firefox)
    sums = "".join(
        f"{hashlib.sha256(a.path.read_bytes()).hexdigest()}  {a.path.name}\n"
        for a in artifacts
        if a.path.is_file()
    )
    (out / "SHA256SUMS").write_text(sums)
    return artifacts, chrome, firefox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument(
        "--gecko-id",
        help="Firefox add-on ID to sign under (AMO ties an ID to the first account to use it)",
    )
    parser.add_argument(
        "--public-key",
        type=Path,
        help="PEM public key of your own signing key: the Chrome ID becomes yours",
    )
    parser.add_argument(
        "--update-url", help="Chrome/Edge self-hosting: the https:// URL of your update manifest"
    )
    parser.add_argument(
        "--gecko-update-url", help="Firefox self-distribution: the https:// URL of updates.json"
    )
    parser.add_argument("--skip-lint", action="store_true", help="do not run web-ext lint")
    parser.add_argument("--strict", action="store_true", help="lint warnings fail the build")
    parser.add_argument("--web-ext", type=Path, default=WEB_EXT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        public_key = public_key_from_pem(args.public_key.read_text()) if args.public_key else None
        artifacts, chrome, firefox = build(
            args.out.resolve(),
            gecko_id=args.gecko_id,
            public_key=public_key,
            update_url=args.update_url,
            gecko_update_url=args.gecko_update_url,
        )
        lint = "skipped"
        if not args.skip_lint:
            with tempfile.TemporaryDirectory() as scratch:
                # Lint the zip's contents, exactly what is uploaded.
                with zipfile.ZipFile(artifacts[4].path) as archive:
                    archive.extractall(scratch)
                lint = lint_firefox(
                    Path(scratch),
                    args.web_ext,
                    strict=args.strict,
                    self_hosted=bool(args.gecko_update_url),
                )
    except (BuildError, OSError) as exc:
        print(f"build-extension: {exc}", file=sys.stderr)
        return 1
    for artifact in artifacts:
        shown = str(artifact.path)
        if artifact.path.is_relative_to(Path.cwd()):
            shown = str(artifact.path.relative_to(Path.cwd()))
        print(f"{shown + ('/' if artifact.path.is_dir() else ''):52} {artifact.meaning}")
    print(f"web-ext lint (Firefox package): {lint}")
    chrome_origin = f"chrome-extension://{extension_id(chrome['key'])}"
    print(
        f"Server setting for unpacked/self-hosted Chrome/Edge: "
        f"LINKINSPECTOR_EXTENSION_ORIGINS={chrome_origin}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
