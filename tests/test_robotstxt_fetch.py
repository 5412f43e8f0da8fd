"""Googlebot's robots.txt verdicts through real fetches from a loopback web server.

Google's fetch rules: https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt
Nothing here leaves the machine: every server is on 127.0.0.1, and every fetch is bounded.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from server.analysis.model import RobotsTxt
from server.fetch import FetchError, fetch_page, fetch_text
from server.robotstxt import MAX_BYTES, NOT_IN_TIME, Outcome, RobotsCache, RobotsFile, verdicts

RULES = b"User-agent: *\nDisallow: /private/\nAllow: /private/open\n"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    gate: threading.Barrier | None = None  # answer only once this many requests are waiting


@dataclass
class Site:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str = "/robots.txt") -> int:
        with self.lock:
            return self.paths.count(path)


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with site.lock:
                site.paths.append(self.path)
            route = site.routes.get(self.path, Route(b"not found", 404))
            time.sleep(route.delay)
            if route.gate is not None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    route.gate.wait()
            try:
                self.send_response(route.status)
                if route.content_type is not None:
                    self.send_header("Content-Type", route.content_type)
                for name, value in route.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the fetcher stopped reading, as it does past 500 KiB

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture()
def serve() -> Iterator[Callable[[], Site]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start() -> Site:
        site = Site(port=0)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
        server.daemon_threads = True
        site.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return site

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def site(serve: Callable[[], Site]) -> Site:
    return serve()


@pytest.fixture()
def cache() -> Iterator[RobotsCache]:
    made = RobotsCache()
    yield made
    made.close()


def _verdict(cache: RobotsCache, url: str, timeout: float = 5.0) -> RobotsTxt:
    return verdicts([url], allow_private=True, timeout=timeout, cache=cache)[url]


def _settle(cache: RobotsCache, entries: int) -> None:
    """Wait (bounded) until background fetches have filled the cache."""
    for _ in range(200):
        if len(cache) >= entries:
            return
        time.sleep(0.05)
    raise AssertionError("the background fetch never finished")


# --- what the server answers --------------------------------------------------------------


def test_a_disallowed_page_names_the_robots_txt_and_the_rule(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(RULES)
    answer = _verdict(cache, site.url("/private/report"))
    assert answer == RobotsTxt("disallowed", site.url("/robots.txt"), "Disallow: /private/")
    assert _verdict(cache, site.url("/private/open/x")).rule == "Allow: /private/open"
    assert _verdict(cache, site.url("/public")) == RobotsTxt("allowed", site.url("/robots.txt"))


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_a_4xx_robots_txt_means_no_restrictions_as_google_reads_it(
    site: Site, cache: RobotsCache, status: int
):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /\n", status)
    answer = _verdict(cache, site.url("/anything"))
    assert answer == RobotsTxt(
        "allowed", site.url("/robots.txt"), f"no robots.txt (HTTP {status}): no restrictions"
    )


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_or_429_robots_txt_leaves_googlebots_verdict_unknown(
    site: Site, cache: RobotsCache, status: int
):
    # Google stops crawling while robots.txt fails, then falls back on a copy we cannot see.
    site.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", status)
    answer = _verdict(cache, site.url("/page"))
    assert answer == RobotsTxt(
        "unknown", site.url("/robots.txt"), f"robots.txt answered HTTP {status}"
    )


def test_redirects_are_followed_and_the_rules_found_there_apply(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(b"", 301, headers=(("Location", "/hop"),))
    site.routes["/hop"] = Route(b"", 302, headers=(("Location", "/real-robots.txt"),))
    site.routes["/real-robots.txt"] = Route(RULES)
    answer = _verdict(cache, site.url("/private/x"))
    assert answer == RobotsTxt("disallowed", site.url("/robots.txt"), "Disallow: /private/")


def test_more_than_five_redirects_read_as_no_robots_txt_as_google_documents(
    site: Site, cache: RobotsCache
):
    for hop in range(7):
        here = "/robots.txt" if hop == 0 else f"/r{hop}"
        site.routes[here] = Route(b"", 301, headers=(("Location", f"/r{hop + 1}"),))
    site.routes["/r7"] = Route(b"User-agent: *\nDisallow: /\n")
    answer = _verdict(cache, site.url("/page"))
    assert answer.status == "allowed"
    assert answer.rule is not None and "more than 5 times" in answer.rule
    assert site.hits("/r6") == 0  # six requests in all: the first and five hops


def test_a_600_kib_file_is_read_up_to_500_kib(site: Site, cache: RobotsCache):
    head = b"User-agent: *\nDisallow: /early\n"
    filler = b"# padding\n" * ((600 * 1024 - len(head)) // 10)
    site.routes["/robots.txt"] = Route(head + filler + b"Disallow: /late\n")
    assert len(site.routes["/robots.txt"].body) > 600 * 1024 - 100 > MAX_BYTES
    assert _verdict(cache, site.url("/early/x")).status == "disallowed"
    assert _verdict(cache, site.url("/late/x")).status == "allowed"


def test_a_non_utf8_file_is_matched_byte_for_byte_as_googles_parser_does(
    site: Site, cache: RobotsCache
):
    # The charset label is ignored: Google reads robots.txt as UTF-8. A Latin-1 "é" is
    # not UTF-8, so it matches only a URL carrying that same byte (%E9), not "é" as a
    # browser encodes it in a path (%C3%A9).
    body = "User-agent: *\nDisallow: /café\nDisallow: /search?q=café\n".encode("latin-1")
    site.routes["/robots.txt"] = Route(body, content_type="text/plain; charset=iso-8859-1")
    assert _verdict(cache, site.url("/café")).status == "allowed"
    assert _verdict(cache, site.url("/search?q=caf%E9")).status == "disallowed"


def test_a_utf8_file_with_a_bom_is_read(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route("\ufeffUser-agent: *\nDisallow: /café/\n".encode())
    answer = _verdict(cache, site.url("/café/menu"))
    assert answer.status == "disallowed" and answer.rule == "Disallow: /café/"


def test_any_media_type_is_read_as_robots_txt(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(RULES, content_type="text/html; charset=utf-8")
    assert _verdict(cache, site.url("/private/x")).status == "disallowed"


def test_an_html_soft_404_restricts_nothing(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(b"<!doctype html><h1>Page not found</h1>", 200, "text/html")
    assert _verdict(cache, site.url("/private/x")) == RobotsTxt("allowed", site.url("/robots.txt"))


def test_each_scheme_host_and_port_has_its_own_robots_txt(
    serve: Callable[[], Site], cache: RobotsCache
):
    closed, open_ = serve(), serve()
    closed.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /\n")
    open_.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n")
    urls = [closed.url("/a"), open_.url("/a"), closed.url("/b", host="localhost")]
    answers = verdicts(urls, allow_private=True, timeout=5, cache=cache)
    assert [answers[url].status for url in urls] == ["disallowed", "allowed", "disallowed"]
    assert answers[urls[1]].url == open_.url("/robots.txt")
    assert answers[urls[2]].url == closed.url("/robots.txt", host="localhost")
    assert closed.hits() == 2  # 127.0.0.1 and localhost are different hosts to robots.txt


def test_googlebots_own_group_decides_over_the_global_one(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nDisallow: /tmp/\n"
    )
    assert _verdict(cache, site.url("/blog/post")).status == "allowed"
    assert _verdict(cache, site.url("/tmp/x")).rule == "Disallow: /tmp/"


# --- time, cache and concurrency -------------------------------------------------------------


def test_a_slow_robots_txt_is_unknown_at_the_deadline_then_cached_for_next_time(
    site: Site, cache: RobotsCache
):
    site.routes["/robots.txt"] = Route(RULES, delay=1.5)
    started = time.monotonic()
    first = _verdict(cache, site.url("/private/x"), timeout=0.2)
    assert time.monotonic() - started < 1.2  # it did not wait for the server
    assert first == RobotsTxt("unknown", site.url("/robots.txt"), NOT_IN_TIME)
    _settle(cache, 1)
    assert _verdict(cache, site.url("/private/x"), timeout=0.2).status == "disallowed"
    assert site.hits() == 1


def test_many_pages_of_one_site_cost_one_fetch(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(RULES)
    urls = [site.url(f"/private/{n}") for n in range(30)] + [site.url("/")]
    answers = verdicts(urls, allow_private=True, timeout=5, cache=cache)
    assert sum(answer.status == "disallowed" for answer in answers.values()) == 30
    for _ in range(3):
        verdicts(urls, allow_private=True, timeout=5, cache=cache)
    assert site.hits() == 1 and cache.fetches == 1


def test_concurrent_callers_share_one_fetch(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(RULES, delay=0.3)
    answers: list[str] = []
    start = threading.Barrier(8)

    def ask(n: int) -> None:
        start.wait()
        url = site.url(f"/private/{n}")
        answers.append(verdicts([url], allow_private=True, timeout=5, cache=cache)[url].status)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert answers == ["disallowed"] * 8
    assert site.hits() == 1


def test_distinct_robots_txt_files_are_fetched_in_parallel(
    serve: Callable[[], Site], cache: RobotsCache
):
    # Each server answers only when all four requests have arrived: one after the other,
    # the first would hold its answer past the barrier's timeout, and the verdicts' too.
    gate = threading.Barrier(4, timeout=3)
    sites = [serve() for _ in range(4)]
    for each in sites:
        each.routes["/robots.txt"] = Route(RULES, gate=gate)
    urls = [each.url("/private/x") for each in sites]
    answers = verdicts(urls, allow_private=True, timeout=2.5, cache=cache)
    assert [answers[url].status for url in urls] == ["disallowed"] * 4
    assert not gate.broken


def test_loopback_is_refused_when_private_fetches_are_not_allowed(site: Site, cache: RobotsCache):
    site.routes["/robots.txt"] = Route(RULES)
    url = site.url("/private/x")
    answer = verdicts([url], allow_private=False, timeout=5, cache=cache)[url]
    assert answer.status == "unknown" and answer.url == site.url("/robots.txt")
    assert answer.rule is not None and "not a public address" in answer.rule
    assert site.hits() == 0
    # A file fetched for a caller allowed private addresses is never served to one who is not.
    assert verdicts([url], allow_private=True, timeout=5, cache=cache)[url].status == "disallowed"
    assert verdicts([url], allow_private=False, timeout=5, cache=cache)[url].status == "unknown"


def test_non_http_urls_have_no_robots_txt(cache: RobotsCache):
    urls = ["mailto:a@example.org", "ftp://example.org/x", "javascript:alert(1)", "not a url"]
    answers = verdicts(urls, allow_private=False, timeout=1, cache=cache)
    assert {answer.status for answer in answers.values()} == {"unknown"}
    assert answers["ftp://example.org/x"].rule == "robots.txt applies to http and https URLs only"
    assert answers["not a url"] == RobotsTxt("unknown", None, "not a valid URL")
    assert cache.fetches == 0


def test_verdicts_never_raise(site: Site):
    def broken(robots_url: str, *, allow_private: bool) -> Outcome:
        raise RuntimeError("boom")

    broken_cache = RobotsCache(fetch=broken)
    try:
        answer = _verdict(broken_cache, site.url("/x"))
    finally:
        broken_cache.close()
    assert answer.status == "unknown"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _counting_fetch(outcomes: dict[str, Outcome]) -> tuple[list[str], Callable[..., Outcome]]:
    calls: list[str] = []

    def fetch(robots_url: str, *, allow_private: bool) -> Outcome:
        calls.append(robots_url)
        return outcomes[robots_url]

    return calls, fetch


def test_files_are_kept_an_hour_and_failures_two_minutes():
    ok = Outcome("http://ok.test/robots.txt", status="allowed", reason="no robots.txt (HTTP 404)")
    down = Outcome("http://down.test/robots.txt", reason="robots.txt answered HTTP 503")
    calls, fetch = _counting_fetch({ok.robots_url: ok, down.robots_url: down})
    clock = _Clock()
    cache = RobotsCache(fetch=fetch, clock=clock)
    urls = ["http://ok.test/a", "http://down.test/a"]
    try:
        for elapsed in (0, 60, 121, 1800, 3601):
            clock.now = 1000.0 + elapsed
            verdicts(urls, allow_private=False, timeout=5, cache=cache)
            _settle(cache, 2)
    finally:
        cache.close()
    # ok.test: at 0 and after the hour; down.test: at 0, 121 (expired), 1800, 3601.
    assert calls.count(ok.robots_url) == 2
    assert calls.count(down.robots_url) == 4


def test_the_cache_is_bounded_and_forgets_the_least_recently_used():
    outcomes = {
        f"http://s{n}.test/robots.txt": Outcome(f"http://s{n}.test/robots.txt", status="allowed")
        for n in range(4)
    }
    calls, fetch = _counting_fetch(outcomes)
    cache = RobotsCache(fetch=fetch, max_entries=2)
    try:
        for n in (0, 1, 0, 2):  # s0 used again, so s1 is the one forgotten
            verdicts([f"http://s{n}.test/"], allow_private=False, timeout=5, cache=cache)
            _settle(cache, min(n + 1, 2))
        assert len(cache) == 2
        verdicts(["http://s0.test/", "http://s1.test/"], allow_private=False, timeout=5,
                 cache=cache)  # fmt: skip
    finally:
        cache.close()
    assert calls == [
        "http://s0.test/robots.txt",
        "http://s1.test/robots.txt",
        "http://s2.test/robots.txt",
        "http://s1.test/robots.txt",
    ]


def test_the_cache_holds_a_bounded_amount_of_robots_txt():
    files = {
        f"http://s{n}.test/robots.txt": Outcome(
            f"http://s{n}.test/robots.txt", RobotsFile.parse(b"# " + b"x" * 998)
        )
        for n in range(3)
    }
    _calls, fetch = _counting_fetch(files)
    cache = RobotsCache(fetch=fetch, max_bytes=2500)
    try:
        for n in range(3):
            verdicts([f"http://s{n}.test/"], allow_private=False, timeout=5, cache=cache)
            _settle(cache, min(n + 1, 2))
        assert len(cache) == 2  # 3000 bytes would not fit
    finally:
        cache.close()


def test_fetches_under_way_are_bounded():
    release = threading.Event()

    def hanging(robots_url: str, *, allow_private: bool) -> Outcome:
        release.wait(5)
        return Outcome(robots_url, status="allowed")

    cache = RobotsCache(fetch=hanging, max_in_flight=1)
    try:
        urls = ["http://one.test/", "http://two.test/"]
        answers = verdicts(urls, allow_private=False, timeout=0.1, cache=cache)
    finally:
        release.set()
        cache.close()
    assert answers[urls[0]].rule == NOT_IN_TIME
    assert answers[urls[1]].status == "unknown"
    assert answers[urls[1]].rule == "too many robots.txt fetches under way; try again"
    assert cache.fetches == 1


# --- the fetcher's text mode --------------------------------------------------------------


def test_fetch_text_takes_any_type_and_keeps_only_the_first_max_bytes(site: Site):
    site.routes["/data"] = Route(b"x" * 5000, content_type="application/octet-stream")
    fetched = fetch_text(site.url("/data"), allow_private=True, max_bytes=1000)
    assert fetched.body == b"x" * 1000 and fetched.status == 200
    with pytest.raises(FetchError) as refused:
        fetch_page(site.url("/data"), allow_private=True)
    assert refused.value.code == "not_html"  # pages keep their HTML-only rule


def test_fetch_text_raises_on_http_errors_with_the_status(site: Site):
    with pytest.raises(FetchError) as missing:
        fetch_text(site.url("/nothing"), allow_private=True)
    assert (missing.value.code, missing.value.status) == ("http_status", 404)
