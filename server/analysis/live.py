"""What only the live page knows, joined to the links parsed from its HTML: whether each link
is visible (the extension's `live_links`) and whether it was already in the HTML the site's
server sent (`served_html`) or was added by a script."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence

from server.analysis.model import Origin

# How far ahead in the live list a parsed link may find its twin. A serialised DOM re-parses
# into the same links nearly always; where it does not (a <noscript> link the live DOM holds
# as text), the stray link must not pull every later match out of step.
LOOKAHEAD = 64

LiveLink = tuple[str, bool]  # (the element's .href, hidden)


def align(hrefs: Sequence[str], live: Sequence[LiveLink]) -> list[bool | None]:
    """For each parsed link (by its resolved href, in order), `hidden` of the live link that is
    the same element, or None when none can be told: a greedy, in-order match by href."""
    waiting: dict[str, deque[int]] = {}
    for i, (href, _) in enumerate(live):
        waiting.setdefault(href, deque()).append(i)
    last = -1
    out: list[bool | None] = []
    for href in hrefs:
        queue = waiting.get(href)
        found: bool | None = None
        if queue:
            while queue and queue[0] <= last:
                queue.popleft()
            if queue and queue[0] - last <= LOOKAHEAD:
                last = queue.popleft()
                found = live[last][1]
        out.append(found)
    return out


def origins(hrefs: Sequence[str], served: Sequence[str]) -> list[Origin]:
    """For each live link (in order), "html" while the served HTML still has an unclaimed link
    to the same href, else "script"."""
    unclaimed = Counter(served)
    out: list[Origin] = []
    for href in hrefs:
        if unclaimed[href] > 0:
            unclaimed[href] -= 1
            out.append("html")
        else:
            out.append("script")
    return out
