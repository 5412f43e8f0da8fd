"""The `link-check` job: is each URL ok, redirected, broken, failing, blocked...? Results are
cached per URL for a while (shorter for passing troubles such as timeouts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from server.fetch.politeness import Slot
from server.jobs.settings import JobSettings
from server.linkcheck import LASTING_RESULTS, CheckSettings, check_link
from server.store.job_claims import ClaimedItem, ItemResult
from server.store.job_models import Job
from server.store.link_check_cache import cache_checks, cached_checks
from server.store.models import utcnow

KIND = "link-check"
# A timeout, a 5xx or a block may be over in minutes: reused for at most this long.
PASSING_TROUBLE_AGE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Context:
    check: CheckSettings
    cache_age: timedelta
    refresh: bool


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class LinkChecks:
    name = KIND
    window = 300
    error_outcome = "error"

    def prepare(self, app: Flask, job: Job, settings: JobSettings) -> Context:
        return Context(settings.check, settings.cache_age, bool(job.params.get("refresh")))

    def before(
        self, context: Context, session: Session, items: list[ClaimedItem]
    ) -> list[ItemResult]:
        if context.refresh or not context.cache_age:
            return []
        cached = cached_checks(session, (item.url for item in items), context.cache_age)
        now = utcnow()
        found = []
        for item in items:
            hit = cached.get(item.url)
            if hit is None:
                continue
            checked_at = _time(hit["checked_at"])
            if hit["result"] not in LASTING_RESULTS and now - checked_at > PASSING_TROUBLE_AGE:
                continue
            found.append(ItemResult(item, hit["result"], {**hit, "from_cache": True}))
        return found

    def work(self, context: Context, item: ClaimedItem, slot: Slot) -> ItemResult:
        check = check_link(item.url, settings=context.check, politeness=slot.politeness, slot=slot)
        return ItemResult(item, check.result, check.to_json())

    def after(self, context: Context, session: Session, results: list[ItemResult]) -> None:
        if not context.cache_age:
            return
        fresh = [r for r in results if not r.result.get("from_cache") and r.outcome != "error"]
        cache_checks(
            session,
            (
                (
                    r.item.url,
                    r.result,
                    datetime.fromisoformat(r.result["checked_at"][:-1] + "+00:00"),
                )
                for r in fresh
            ),
        )
