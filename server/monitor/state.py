"""What a new check means for a backlink's state: accept it, hold bad news until a re-check
confirms it, and which changes raise an alert.

Bad news — a link that looks lost, newly nofollow, newly at risk, newly drifted, or a page
that errors — changes nothing at first: the check is kept as `pending` and the backlink is
checked again after a delay. Only if that re-check still shows bad news does the state
change (and alert); otherwise the first check is `dismissed`. Good news (a link back, risks
gone) is believed at once: a page cannot show a link it does not have."""

from __future__ import annotations

from dataclasses import dataclass

_RANK = {"live-followed": 2, "live-nofollow": 1, "missing": 0, "error": 0}
LIVE = ("live-followed", "live-nofollow")


@dataclass(frozen=True, slots=True)
class State:
    result: str | None  # None: never checked
    risks: tuple[str, ...] = ()
    drift: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One alert-worthy change: its kind (server/store/monitor_models.ALERT_KINDS) and what
    it is about (gained risks or drift kinds; empty for result changes)."""

    kind: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    action: str  # accept | suspect | confirm | dismiss
    changed: bool  # the backlink's state changes
    changes: tuple[Change, ...] = ()


def _gained(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x for x in after if x not in before)


def bad_news(before: State, after: State) -> bool:
    """Whether `after` is worse than `before` in any way (never for a first check)."""
    if before.result is None:
        return False
    if after.result != before.result:
        # The link back (or followed again) is believed at once; anything else is not.
        return _RANK.get(after.result or "", 0) <= _RANK[before.result]
    return bool(_gained(before.risks, after.risks) or _gained(before.drift, after.drift))


def changes(before: State, after: State) -> tuple[Change, ...]:
    """The alert-worthy changes from `before` to `after` (none for a first check)."""
    if before.result is None or before == after:
        return ()
    found: list[Change] = []
    if after.result != before.result:
        if after.result == "missing":
            found.append(Change("lost"))
        elif after.result == "error" and before.result in LIVE:
            found.append(Change("error"))
        elif after.result == "live-nofollow":
            found.append(Change("nofollow"))
        elif after.result == "live-followed":
            found.append(Change("recovered"))
    if after.result in LIVE:
        risks = _gained(before.risks if before.result in LIVE else (), after.risks)
        if risks:
            found.append(Change("at_risk", risks))
        drift = _gained(before.drift if before.result in LIVE else (), after.drift)
        if any(c.kind == "nofollow" for c in found):
            drift = tuple(d for d in drift if d != "rel_changed")  # the same news, once
        if drift:
            found.append(Change("drift", drift))
        calmer = (before.risks and not after.risks) or (before.drift and not after.drift)
        if calmer and before.result in LIVE and not found:
            found.append(Change("recovered"))
    return tuple(found)


def decide(before: State, after: State, pending: bool) -> Decision:
    """What to do with a check that found `after` where the backlink's state is `before`;
    `pending` says bad news is already waiting for this re-check."""
    if bad_news(before, after):
        if not pending:
            return Decision("suspect", changed=False)
        return Decision("confirm", changed=True, changes=changes(before, after))
    changed = before.result is not None and before != after
    return Decision(
        "dismiss" if pending else "accept",
        changed=changed,
        changes=changes(before, after) if changed else (),
    )
