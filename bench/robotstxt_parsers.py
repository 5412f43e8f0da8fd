"""How robots.txt parsers agree with Google's test cases, and what they cost beside ours.

    .venv/bin/python bench/robotstxt_parsers.py          # optional argument: repeats (default 5)
    .venv/bin/pip install robotspy fast-robotstxt        # to compare those too (bench only)

For each parser installed (ours; protego, which Scrapy brings; robotspy; fast-robotstxt;
gpyrobotstxt — GPL, never a dependency here, but measurable), prints how many of the 192
Google cases (tests/google_robotstxt_cases.py) it decides as Google does, which gtests it
misses, and the CPU time of parsing a 480 KB robots.txt and answering 1,000 URLs from it,
with its ratio to ours. Other parsers get the file as UTF-8 text, as their APIs take it.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.robotstxt.rules import RobotsFile  # noqa: E402
from tests.google_robotstxt_cases import CASES  # noqa: E402

SECTIONS = ["shop", "blog", "tag"]
Decide = Callable[[bytes, str, list[str]], list[bool]]  # (robots.txt, agent, urls) -> verdicts


def _ours(body: bytes, agent: str, urls: list[str]) -> list[bool]:
    robots = RobotsFile.parse(body)
    return [robots.check(url, agent).allowed for url in urls]


def _candidates() -> dict[str, Decide]:
    found: dict[str, Decide] = {"ours (server/robotstxt)": _ours}
    try:
        import protego

        def with_protego(body: bytes, agent: str, urls: list[str]) -> list[bool]:
            parsed = protego.Protego.parse(body.decode("utf-8", "replace"))
            return [parsed.can_fetch(url, agent) for url in urls]

        found[f"protego {_version('protego')}"] = with_protego
    except ImportError:
        print("protego: not installed")
    try:
        import robots

        def with_robotspy(body: bytes, agent: str, urls: list[str]) -> list[bool]:
            parsed = robots.RobotsParser.from_string(body.decode("utf-8", "replace"))
            return [parsed.can_fetch(agent, url) for url in urls]

        found[f"robotspy {_version('robotspy')}"] = with_robotspy
    except ImportError:
        print("robotspy: not installed")
    try:
        import robotstxt

        def with_fast(body: bytes, agent: str, urls: list[str]) -> list[bool]:
            text = body.decode("utf-8", "replace")
            matcher = robotstxt.RobotsMatcher()  # it parses the file again for every URL
            return [matcher.is_allowed(text, agent, url) for url in urls]

        found[f"fast-robotstxt {_version('fast-robotstxt')}"] = with_fast
    except ImportError:
        print("fast-robotstxt: not installed")
    try:
        from gpyrobotstxt.robots_cc import RobotsMatcher

        def with_gpy(body: bytes, agent: str, urls: list[str]) -> list[bool]:
            text = body.decode("utf-8", "replace")
            return [RobotsMatcher().one_agent_allowed_by_robots(text, agent, u) for u in urls]

        found[f"gpyrobotstxt {_version('gpyrobotstxt')} (GPL)"] = with_gpy
    except ImportError:
        print("gpyrobotstxt: not installed")
    return found


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def _big_file() -> tuple[bytes, list[str]]:
    rnd = random.Random(7)
    lines = ["User-agent: *", "Disallow: /cgi-bin/"]
    for n in range(2000):
        lines.append(
            f"Disallow: /{rnd.choice(SECTIONS)}/{n}*{rnd.choice(['.php$', '?sort=', '/'])}"
        )
        lines.append(f"Allow: /{rnd.choice(['shop', 'blog'])}/{n}/open")
    lines += ["", "User-agent: Googlebot"] + lines[1:4000]
    while sum(len(line) + 1 for line in lines) < 480_000:
        lines.append(f"# {'padding ' * 10}")
    body = ("\n".join(lines) + "\n").encode()
    urls = [f"https://example.org/{rnd.choice(['shop', 'blog', 'tag', 'x'])}/{rnd.randrange(2200)}/"
            f"{rnd.choice(['a.php', 'open', 'b?sort=1', ''])}" for _ in range(1000)]  # fmt: skip
    return body, urls


def main(repeats: int) -> None:
    candidates = _candidates()
    print(f"\n{'parser':<34} {'Google cases':>13}  misses (by gtest)")
    for name, decide in candidates.items():
        misses: Counter[str] = Counter()
        for case in CASES:
            try:
                agreed = decide(case.robotstxt, case.agent, [case.url]) == [case.allowed]
            except Exception:
                agreed = False
            if not agreed:
                misses[case.test] += 1
        passed = len(CASES) - sum(misses.values())
        print(f"{name:<34} {passed:>7}/{len(CASES):<5}  {dict(misses) or '-'}")

    body, urls = _big_file()
    print(f"\nparse {len(body) / 1000:.0f} KB + answer {len(urls)} URLs (CPU, best of {repeats})")
    best: dict[str, float] = {}
    for _ in range(repeats):
        for name, decide in candidates.items():
            started = time.process_time()
            decide(body, "Googlebot", urls)
            spent = time.process_time() - started
            best[name] = min(best.get(name, spent), spent)
    baseline = next(iter(best.values()))
    for name, spent in best.items():
        print(f"{name:<34} {spent * 1000:>9.1f} ms  {spent / baseline:>6.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
