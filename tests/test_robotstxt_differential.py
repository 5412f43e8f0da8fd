"""Our robots.txt decision against Google's own C++ (google/robotstxt, built here from the
copy in tests/google_robotstxt/) on thousands of generated files, agents and URLs: every
verdict and every deciding line must be the same.

The generator leans on what parsers get wrong: typos and key prefixes, missing colons, BOMs,
line endings, NUL bytes, non-UTF-8 bytes, %-escapes, "*" and "$", "index.html", group
merging and agent names with versions, spaces and wildcards. It is seeded: a failure repeats.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.robotstxt.rules import RobotsFile

SOURCES = Path(__file__).parent / "google_robotstxt"
CASES_PER_SEED = 3000

KEYS = [
    "user-agent", "User-Agent", "USER-AGENT", "useragent", "user agent", "User-agents",
    "allow", "Allow", "Allowed", "alow",
    "disallow", "Disallow", "DISALLOW", "dissallow", "disallaw", "Disallowed",
    "sitemap", "crawl-delay", "noindex", "", "#",
]  # fmt: skip
AGENTS = [
    "*", "* x", "*bot", "googlebot", "Googlebot", "GoogleBot/2.1", "Googlebot-News",
    "Googlebot Images", "Google", "foo", "foo bar", "", "123", "\u30c4", "googlebot*",
]  # fmt: skip
PIECES = [
    "/", "/", "a", "b", "*", "$", "%61", "%e3%83%84", "\u30c4", "?", "=", ";", "index.html",
    "/index.htm", ".php", "#c", " ", "\t", "%", "%2", "fish", "//", "x",
]  # fmt: skip
URL_PIECES = [
    "/", "a", "b", "x", "index.html", "index.htm", "fish", ".php", "?q=1", "%61", "%E3%83%84",
    "$", "*", "#f", ";p", "//", "A", "?",
]  # fmt: skip
QUERY_AGENTS = ["Googlebot", "googlebot", "foo", "FOO", "bar", ""]


@dataclass(frozen=True, slots=True)
class Probe:
    robotstxt: bytes
    agent: str
    url: str


def _line(rnd: random.Random, pieces: list[str]) -> str:
    key = (
        rnd.choice(KEYS) if rnd.random() < 0.3 else rnd.choice(["user-agent", "allow", "disallow"])
    )
    if key.lower().startswith("user") or rnd.random() < 0.05:
        value = rnd.choice(AGENTS)
    else:
        value = ("/" if rnd.random() < 0.7 else "") + "".join(
            rnd.choice(pieces) for _ in range(rnd.randint(0, 4))
        )
    line = key + rnd.choice([": ", ":", " ", "\t", " : ", ":\t", "  "]) + value
    if rnd.random() < 0.05:
        line = rnd.choice(["# ", "  ", "\t"]) + line
    return line


def _robotstxt(rnd: random.Random, pieces: list[str]) -> bytes:
    body = b""
    if rnd.random() < 0.1:
        body += rnd.choice([b"\xef\xbb\xbf", b"\xef\xbb", b"\xef", b"\xef\x11"])
    ending = rnd.choice(["\n", "\r\n", "\r", None])
    for _ in range(rnd.randint(0, 10)):
        text = _line(rnd, pieces) + (ending or rnd.choice(["\n", "\r\n", "\r"]))
        if rnd.random() < 0.05:
            body += text.encode("latin-1", "replace")  # not UTF-8
        else:
            body += text.encode("utf-8")
        if rnd.random() < 0.02:
            body += b"disallow: /a\x00b\n"
    return body


def _probes(seed: int) -> list[Probe]:
    rnd = random.Random(seed)
    # Odd seeds use few, short pieces, so that patterns match the URLs more often.
    pieces = ["/", "a", "b", "*", "$", "/index.html", "%61", "?"] if seed % 2 else PIECES
    probes = []
    for _ in range(CASES_PER_SEED):
        url = "http://a.b" + "".join(rnd.choice(URL_PIECES) for _ in range(rnd.randint(0, 5)))
        probes.append(Probe(_robotstxt(rnd, pieces), rnd.choice(QUERY_AGENTS), url))
    return probes


@pytest.fixture(scope="module")
def google(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Google's matcher, compiled (scripts/test installs g++ and Debian's libabsl-dev)."""
    built = tmp_path_factory.mktemp("google_robotstxt") / "oracle"
    libs = subprocess.run(
        ["pkg-config", "--libs", "absl_strings"], capture_output=True, text=True, check=True
    ).stdout.split()
    compiler = shutil.which("g++") or "g++"
    subprocess.run(
        [compiler, "-O1", "-std=c++17", "-w", f"-I{SOURCES}", "-o", str(built),
         str(SOURCES / "oracle.cc"), str(SOURCES / "robots.cc"), *libs],
        check=True, timeout=300,
    )  # fmt: skip
    return built


def _google_answers(google: Path, probes: list[Probe]) -> list[tuple[bool, int]]:
    records = b"".join(
        b"%d\n%s\n%s\n%s\n" % (len(p.robotstxt), p.robotstxt, p.agent.encode(), p.url.encode())
        for p in probes
    )
    out = subprocess.run([str(google)], input=records, capture_output=True, check=True, timeout=60)
    answers = []
    for line in out.stdout.decode().splitlines():
        allowed, matching_line = line.split()
        answers.append((allowed == "1", int(matching_line)))
    assert len(answers) == len(probes)
    return answers


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_verdicts_and_deciding_lines_are_googles(google: Path, seed: int) -> None:
    probes = _probes(seed)
    differ = []
    disallowed = 0
    for probe, (allowed, line) in zip(probes, _google_answers(google, probes), strict=True):
        verdict = RobotsFile.parse(probe.robotstxt).check(probe.url, probe.agent)
        ours = (verdict.allowed, 0 if verdict.rule is None else verdict.rule.line)
        disallowed += not allowed
        if ours != (allowed, line):
            differ.append((probe, (allowed, line), ours))
    assert differ == []
    assert disallowed > CASES_PER_SEED // 100  # the generator does reach Disallow rules
