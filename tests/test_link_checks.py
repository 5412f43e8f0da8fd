"""Checking outbound links against a simulated web on loopback: every result class, HEAD
then GET, redirects by hand, Retry-After, the action-URL guard, the per-host limit under
concurrency, and the socket-level deadline. No database here (see test_jobs_api.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from simulated_web import SimulatedWeb

from server.fetch import DEFAULT_USER_AGENT, FetchError
from server.fetch.politeness import (
    DEFAULT_ACTION_REGEXES,
    HostDispatcher,
    Politeness,
    action_match,
    compile_patterns,
    retry_after_seconds,
)
from server.fetch.probe import probe
from server.linkcheck import CheckSettings, LinkCheck, check_link

LOCAL = CheckSettings(allow_private=True)


@pytest.fixture(scope="module")
def web() -> Iterator[SimulatedWeb]:
    with SimulatedWeb(3, delay=0.02, refused=1) as simulated:
        yield simulated


def check(url: str, settings: CheckSettings = LOCAL, politeness: Politeness | None = None):
    return check_link(url, settings=settings, politeness=politeness or Politeness(2))


@pytest.mark.parametrize(
    ("path", "result", "status"),
    [
        ("/ok/a", "ok", 200),
        ("/moved/a", "redirect", 200),
        ("/temp/a", "redirect", 200),
        ("/missing/a", "broken", 404),
        ("/gone/a", "broken", 410),
        ("/error/a", "server_error", 500),
        ("/li/a", "blocked", 999),
        ("/challenge/a", "blocked", 403),
        ("/auth/a", "blocked", 401),
        ("/busy-long/a", "blocked", 429),
        ("/loop/a", "broken", 302),
    ],
)
def test_each_answer_gets_its_result_class(
    web: SimulatedWeb, path: str, result: str, status: int
) -> None:
    found = check(web.hosts[0].url(path))
    assert (found.result, found.http_status) == (result, status)
    assert found.url == web.hosts[0].url(path)


def test_a_redirect_lists_each_hop_and_the_final_url(web: SimulatedWeb) -> None:
    found = check(web.hosts[0].url("/chain/3"))
    assert found.result == "redirect"
    assert [(h.url.rsplit("/", 2)[-2:], h.status) for h in found.redirects] == [
        (["chain", "3"], 301),
        (["chain", "2"], 301),
        (["chain", "1"], 301),
        (["chain", "0"], 302),
    ]
    assert found.final_url == web.hosts[0].url("/ok/end")
    body = found.to_json()
    assert body["redirects"][0] == {"url": web.hosts[0].url("/chain/3"), "status": 301}
    assert LinkCheck.from_json(body) == found


def test_a_redirect_to_another_host_is_followed(web: SimulatedWeb) -> None:
    other = web.hosts[1].url("/ok/from-elsewhere")
    found = check(web.hosts[0].url(f"/offsite/x?to={other}"))
    assert (found.result, found.final_url) == ("redirect", other)


def test_too_many_redirects_is_broken(web: SimulatedWeb) -> None:
    found = check(web.hosts[0].url("/chain/4"), CheckSettings(allow_private=True, max_redirects=2))
    assert found.result == "broken"
    assert "more than 2 redirects" in (found.detail or "")


def test_a_refused_connection_and_an_unknown_name_are_unreachable(web: SimulatedWeb) -> None:
    assert check(web.refused_url(0)).result == "unreachable"
    assert check("http://no-such-host.invalid/page").result == "unreachable"


def test_a_private_address_is_refused_by_the_ssrf_guard(web: SimulatedWeb) -> None:
    found = check(web.hosts[0].url("/ok/never"), CheckSettings())
    assert (found.result, found.http_status) == ("refused", None)
    assert web.hosts[0].times("/ok/never") == 0


def test_a_redirect_into_the_private_network_is_refused(
    web: SimulatedWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Everything stays on loopback: the first host counts as public, the second as private.
    public = web.hosts[0].address
    monkeypatch.setattr("server.fetch.addresses.is_public", lambda address: str(address) == public)
    inside = web.hosts[1].url("/ok/inside")
    found = check(web.hosts[0].url(f"/offsite/x?to={inside}"), CheckSettings())
    assert found.result == "refused"
    assert found.final_url == inside and found.redirects[0].status == 302
    assert web.hosts[1].times("/ok/inside") == 0


def test_a_server_that_never_answers_is_a_timeout(web: SimulatedWeb) -> None:
    settings = CheckSettings(allow_private=True, total_timeout=0.6, read_timeout=0.6)
    started = time.monotonic()
    found = check(web.hosts[0].url("/slow/a"), settings)
    assert found.result == "timeout"
    assert time.monotonic() - started < 4.9  # HEAD and GET each cut at 0.6 s, not 5 s


def test_the_deadline_holds_against_a_server_dripping_its_headers(web: SimulatedWeb) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        probe(
            web.hosts[0].url("/drip/a"),
            method="GET",
            allow_private=True,
            read_timeout=5,
            total_timeout=1.0,
            user_agent=DEFAULT_USER_AGENT,
        )
    assert raised.value.code == "timeout"
    # Each byte came within the read timeout; the whole drip lasts 20 s. Cut at the deadline.
    assert time.monotonic() - started < 10


def test_head_refused_falls_back_to_get_and_the_host_is_remembered(web: SimulatedWeb) -> None:
    politeness = Politeness(2)
    host = web.hosts[2]
    found = check(host.url("/nohead/a"), politeness=politeness)
    assert (found.result, found.http_status) == ("ok", 200)
    assert host.times("/nohead/a", "HEAD") == 1 and host.times("/nohead/a", "GET") == 1
    check(host.url("/ok/after-nohead"), politeness=politeness)
    assert host.times("/ok/after-nohead", "HEAD") == 0  # straight to GET on this host


def test_a_head_that_lies_is_checked_again_with_get(web: SimulatedWeb) -> None:
    found = check(web.hosts[1].url("/headlies/a"))
    assert (found.result, found.http_status) == ("ok", 200)
    assert "HEAD 403, then GET" in (found.detail or "")


def test_a_404_is_confirmed_with_get_before_calling_it_broken(web: SimulatedWeb) -> None:
    found = check(web.hosts[1].url("/missing/confirm"))
    assert found.result == "broken"
    assert web.hosts[1].times("/missing/confirm", "GET") == 1


def test_a_5xx_is_asked_again_once_and_a_passing_one_clears(web: SimulatedWeb) -> None:
    assert check(web.hosts[1].url("/flaky/a")).result == "ok"
    failing = check(web.hosts[1].url("/error/twice"))
    assert failing.result == "server_error"
    assert web.hosts[1].times("/error/twice", "GET") == 2


def test_retry_after_is_waited_out_and_pauses_the_whole_host() -> None:
    with SimulatedWeb(1, delay=0.0) as web:
        host = web.hosts[0]
        politeness = Politeness(2)
        started = time.monotonic()
        found = check(host.url("/busy/a"), politeness=politeness)
        took = time.monotonic() - started
        assert (found.result, found.http_status) == ("ok", 200)
        assert took >= 0.9
        # The pause covered the host: a check started during it waits for it too.
        politeness.pause(host.address, 0.5)
        started = time.monotonic()
        check(host.url("/ok/during-pause"), politeness=politeness)
        assert time.monotonic() - started >= 0.45


def test_a_retry_after_longer_than_the_bound_is_blocked_without_waiting(web: SimulatedWeb) -> None:
    started = time.monotonic()
    found = check(web.hosts[0].url("/busy-long/b"))
    assert found.result == "blocked"
    assert "Retry-After 3600 s" in (found.detail or "")
    assert time.monotonic() - started < 60  # not the hour it asked for


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, now) == 30
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("²", now) is None  # a digit to isdigit, not to int()
    assert retry_after_seconds(None, now) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logout",
        "https://example.com/user/log-out?next=/",
        "https://example.com/wp-login.php?action=logout&_wpnonce=1",
        "https://example.com/account/delete",
        "https://example.com/comments/5/remove/",
        "https://news.example.com/unsubscribe?token=abc",
        "https://example.com/newsletter/opt-out",
        "https://example.com/cart?do=remove&id=3",
        "https://example.com/signout.php",
    ],
)
def test_action_urls_are_recognised(url: str) -> None:
    assert action_match(url, DEFAULT_ACTION_REGEXES) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/blog/how-to-delete-cookies/",
        "https://example.com/logout-tips-for-admins",
        "https://example.com/removed-from-google/",
        "https://example.com/",
        "https://delete.example.com/page",
    ],
)
def test_pages_about_actions_are_not_actions(url: str) -> None:
    assert action_match(url, DEFAULT_ACTION_REGEXES) is None


def test_an_action_url_is_never_requested_even_behind_a_redirect(web: SimulatedWeb) -> None:
    host = web.hosts[0]
    direct = check(host.url("/logout"))
    behind = check(host.url("/to-logout/a"))
    assert (direct.result, behind.result) == ("skipped", "skipped")
    assert behind.final_url == host.url("/logout")
    assert host.times("/logout") == 0


def test_the_action_patterns_are_configurable(web: SimulatedWeb) -> None:
    settings = CheckSettings(allow_private=True, action_patterns=compile_patterns([r"/ok/secret"]))
    assert check(web.hosts[0].url("/ok/secret"), settings).result == "skipped"
    assert check(web.hosts[0].url("/logout"), settings).result == "ok"
    with pytest.raises(ValueError):
        compile_patterns(["(unclosed"])


def test_the_user_agent_is_the_servers_own(web: SimulatedWeb) -> None:
    seen: list[str] = []

    def recording(url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(str(kwargs["user_agent"]))
        return probe(url, **kwargs)  # type: ignore[arg-type]

    check_link(
        web.hosts[0].url("/ok/ua"), settings=LOCAL, politeness=Politeness(2), prober=recording
    )
    assert seen == [DEFAULT_USER_AGENT]


def checking(url: str, politeness: Politeness):  # type: ignore[no-untyped-def]
    """Work for a dispatcher: check `url` on the slot it hands over."""
    return lambda slot: check_link(url, settings=LOCAL, politeness=politeness, slot=slot)


def test_no_host_ever_sees_more_than_its_limit_under_concurrency() -> None:
    with SimulatedWeb(2, delay=0.05) as web:
        politeness = Politeness(2)
        dispatcher = HostDispatcher(politeness, threads=32)
        futures = [
            dispatcher.submit(host.address, checking(host.url(f"/ok/{i}"), politeness))
            for i in range(20)
            for host in web.hosts
        ]
        results = [f.result(timeout=60) for f in futures]
    assert [r.result for r in results] == ["ok"] * 40
    assert web.peak() == 2
    assert politeness.peak(web.hosts[0].address) == 2


def test_a_paused_host_does_not_hold_up_the_others() -> None:
    with SimulatedWeb(2, delay=0.02) as web:
        slow, quick = web.hosts
        politeness = Politeness(2)
        politeness.pause(slow.address, 120)
        dispatcher = HostDispatcher(politeness, threads=2)
        paused = [
            dispatcher.submit(slow.address, checking(slow.url(f"/ok/{i}"), politeness))
            for i in range(4)
        ]
        free = [
            dispatcher.submit(quick.address, checking(quick.url(f"/ok/{i}"), politeness))
            for i in range(10)
        ]
        assert [f.result(timeout=60).result for f in free] == ["ok"] * 10
        assert not any(f.running() or f.done() for f in paused)
        assert slow.times("/ok/0") == 0
        for future in paused:
            assert future.cancel()
