"""The URL lists jobs take: each entry an absolute http(s) URL, fragments dropped, each URL
once, at most the configured number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
        except FetchError as exc:
            bad.append(BadUrl(index, value[:200], exc.message))
            continue
        if target.url in seen:
            continue
        seen.add(target.url)
        items.append(NewItem(url=target.url, host=target.hostname.lower()))
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
