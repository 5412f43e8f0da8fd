"""Checking one link as a careful person would: HEAD first, GET when HEAD is refused or may
be lying, every redirect followed by hand (each hop SSRF-checked, polite to its own host,
never to an action URL), Retry-After honoured within a bound, 5xx asked again once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from server.fetch import DEFAULT_USER_AGENT, FetchError
from server.fetch.addresses import parse_target
from server.fetch.politeness import (
    DEFAULT_ACTION_REGEXES,
    Politeness,
    Slot,
    action_match,
    retry_after_seconds,
)
from server.fetch.probe import ProbeResponse, probe
from server.linkcheck.classify import (
    BLOCKED_DETAILS,
    REDIRECT_STATUSES,
    challenge,
    result_of_fetch_error,
    result_of_status,
)
from server.linkcheck.model import Hop, LinkCheck

Prober = Callable[..., ProbeResponse]
# Enough of a GET body to recognise a bot challenge page; the rest is never downloaded.
_PEEK_BYTES = 32 * 1024
# Answers a GET would only repeat: credentials wanted, LinkedIn's refusal to any robot.
_SAME_TO_GET = frozenset({401, 407, 999})


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """How hard to try, and how long to wait, for one link."""

    allow_private: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 15.0  # one request, connect to last byte read
    max_redirects: int = 10
    max_retry_after: float = 60.0  # a longer Retry-After means "blocked", not a wait
    rate_limit_retries: int = 2  # times a 429 is waited out before "blocked"
    server_error_retries: int = 1  # times a 5xx is asked again before "server_error"
    server_error_delay: float = 0.5  # before asking a 5xx again (doubles each time)
    host_wait: float = 120.0  # longest wait for a slot on a busy host before "timeout"
    action_patterns: Sequence[re.Pattern[str]] = field(default=DEFAULT_ACTION_REGEXES)


def _now() -> datetime:
    return datetime.now(UTC)


class _Check:
    """The state of one link's check while it runs."""

    def __init__(self, url: str, settings: CheckSettings, politeness: Politeness) -> None:
        self.url = url
        self.settings = settings
        self.politeness = politeness
        self.hops: list[Hop] = []
        self.notes: list[str] = []

    def done(
        self, result: str, status: int | None, final_url: str | None, detail: str | None = None
    ) -> LinkCheck:
        if detail:
            self.notes.append(detail)
        return LinkCheck(
            url=self.url,
            result=result,
            http_status=status,
            final_url=final_url,
            redirects=tuple(self.hops),
            checked_at=_now(),
            detail="; ".join(self.notes) or None,
        )


def check_link(
    url: str,
    *,
    settings: CheckSettings,
    politeness: Politeness,
    slot: Slot | None = None,
    prober: Prober = probe,
) -> LinkCheck:
    """Check `url` and say what a visitor following it would get; never raises FetchError."""
    slot = slot or Slot(politeness)
    check = _Check(url, settings, politeness)
    try:
        current = parse_target(url).url
    except FetchError as exc:
        return check.done(result_of_fetch_error(exc.code), None, None, exc.message)
    check.url = current
    seen = {current}
    try:
        while True:
            outcome = _follow(check, current, slot, prober)
            if isinstance(outcome, LinkCheck):
                return outcome
            if outcome in seen:
                return check.done("broken", check.hops[-1].status, current, "redirect loop")
            seen.add(outcome)
            current = outcome
    finally:
        slot.release()


def _follow(check: _Check, url: str, slot: Slot, prober: Prober) -> LinkCheck | str:
    """Request `url` until it gives a final answer (a LinkCheck) or redirects (the next URL)."""
    settings, politeness = check.settings, check.politeness
    pattern = action_match(url, settings.action_patterns)
    if pattern is not None:
        where = "redirects to a URL that" if check.hops else "the URL"
        return check.done("skipped", None, url, f"{where} looks like an action ({pattern})")
    try:
        target = parse_target(url)
    except FetchError as exc:
        return check.done(result_of_fetch_error(exc.code), None, url, exc.message)
    host = target.hostname
    method = "GET" if politeness.head_refused(host) else "HEAD"
    waited_429 = 0
    retried_5xx = 0
    while True:
        if not slot.use(host, timeout=settings.host_wait):
            return check.done("timeout", None, url, f"{host} stayed busy or paused")
        try:
            response = prober(
                url,
                method=method,
                allow_private=settings.allow_private,
                connect_timeout=settings.connect_timeout,
                read_timeout=settings.read_timeout,
                total_timeout=settings.total_timeout,
                body_bytes=_PEEK_BYTES if method == "GET" else 0,
                user_agent=settings.user_agent,
            )
        except FetchError as exc:
            if exc.code == "timeout" and method == "HEAD":
                # Some servers never answer HEAD at all; a visitor's browser sends GET.
                check.notes.append("HEAD timed out, then GET")
                method = "GET"
                continue
            return check.done(result_of_fetch_error(exc.code), None, url, exc.message)
        status = response.status
        mark = challenge(response)
        if mark is not None:
            politeness.answered(host)
            return check.done("blocked", status, url, f"bot challenge ({mark})")
        if status == 429 or (status == 503 and response.header("Retry-After") is not None):
            wait = retry_after_seconds(response.header("Retry-After"))
            if wait is None:
                wait = 1.0 * 2**waited_429
            if wait > settings.max_retry_after or waited_429 >= settings.rate_limit_retries:
                why = f"HTTP {status}" + (
                    f", Retry-After {wait:.0f} s" if response.header("Retry-After") else ""
                )
                return check.done("blocked" if status == 429 else "server_error", status, url, why)
            # Retry-After speaks for the whole host: nobody asks it anything until then.
            politeness.pause(host, wait)
            slot.release()
            waited_429 += 1
            check.notes.append(f"HTTP {status}: waited {wait:.0f} s")
            continue
        if method == "HEAD" and status >= 400 and status not in _SAME_TO_GET:
            # HEAD refused (405, 501) or possibly lying (403, 404, 5xx on HEAD only):
            # ask the way a browser does before calling the link anything.
            if status in (405, 501):
                politeness.note_head_refused(host)
            check.notes.append(f"HEAD {status}, then GET")
            method = "GET"
            continue
        if 500 <= status < 600:
            if retried_5xx < settings.server_error_retries:
                slot.sleep(settings.server_error_delay * 2**retried_5xx)
                retried_5xx += 1
                check.notes.append(f"HTTP {status}, asked again")
                continue
            # Counted once per link: a streak of failing links, not of retries, pauses a host.
            politeness.server_error(host)
            return check.done("server_error", status, url)
        politeness.answered(host)
        location = response.location
        if status in REDIRECT_STATUSES and location:
            check.hops.append(Hop(url, status))
            if len(check.hops) > settings.max_redirects:
                return check.done(
                    "broken", status, url, f"more than {settings.max_redirects} redirects"
                )
            try:
                return parse_target(location, base=url).url
            except FetchError as exc:
                return check.done("broken", status, url, f"redirects to {exc.message}")
        result = result_of_status(status, bool(check.hops))
        detail = BLOCKED_DETAILS.get(status) if result == "blocked" else None
        return check.done(result, status, url, detail)
