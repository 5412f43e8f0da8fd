"""The URL lists jobs take: each entry an absolute http(s) URL, fragments dropped, each URL
once, at most the configured number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ada_url

from server.fetch import FetchError
from server.fetch.addresses import parse_target
from server.store.jobs import NewItem


@dataclass(frozen=True, slots=True)
class BadUrl:
    index: int
    value: str
    reason: str


class InvalidUrls(ValueError):
    """Some entries are not http(s) URLs, or there are none or too many."""

    def __init__(self, message: str, bad: list[BadUrl] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.bad = bad or []


def job_items(values: Iterable[object], *, limit: int) -> list[NewItem]:
    """One item per distinct URL, in the order given; InvalidUrls lists the bad entries."""
    items: list[NewItem] = []
    seen: set[str] = set()
    bad: list[BadUrl] = []
    count = 0
    for index, value in enumerate(values):
        count += 1
        if count > limit:
            raise InvalidUrls(f"At most {limit} URLs per job.")
        if not isinstance(value, str) or not value.strip():
            bad.append(BadUrl(index, repr(value)[:200], "not a URL"))
            continue
        try:
            target = parse_target(value.strip())
            url, host = target.url, target.hostname.lower()
        except FetchError as exc:
            if exc.code != "blocked_port":
                bad.append(BadUrl(index, value[:200], exc.message))
                continue
            # A link to a port browsers refuse is still a link of the page: its check says
            # `refused`, rather than the whole list being turned away.
            parsed = ada_url.URL(value.strip())
            url, host = parsed.href.split("#", 1)[0], parsed.hostname.lower()
        if url in seen:
            continue
        seen.add(url)
        items.append(NewItem(url=url, host=host))
    if bad:
        shown = "; ".join(f"#{b.index} {b.value}: {b.reason}" for b in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise InvalidUrls(f"Not absolute http(s) URLs: {shown}{more}.", bad)
    if not items:
        raise InvalidUrls("Give at least one http(s) URL.")
    return items


def urls_from_text(text: str) -> list[str]:
    """URLs pasted one per line (or separated by spaces or commas), blanks ignored."""
    return [part for part in text.replace(",", " ").split() if part]
