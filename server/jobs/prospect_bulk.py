"""The `prospect-bulk` job: fetch each URL (SSRF-safe, polite), analyse it as the extension
would, and save it as a prospect page — contact signals, outbound profile, competitor links
and verdict — or say per URL why it could not be."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from server.analysis import Analysis, InvalidSite
from server.bounded import AnalysisBusy, PageTooComplex, analyze
from server.fetch import FetchedPage, FetchError, fetch_page
from server.fetch.politeness import Slot, action_match
from server.jobs.settings import JobSettings
from server.robotstxt import verdicts
from server.store.job_claims import ClaimedItem, ItemResult
from server.store.job_models import Job
from server.store.prospects import save_page, verdict

KIND = "prospect-bulk"


@dataclass(frozen=True, slots=True)
class Context:
    settings: JobSettings
    sites: tuple[str, ...]
    competitors: tuple[str, ...]
    tags: tuple[str, ...]
    notes: str
    robots_txt: bool  # fetch robots.txt for Googlebot's verdict (LINKINSPECTOR_ROBOTS_TXT)


def _failed(item: ClaimedItem, code: str, message: str, status: int | None = None) -> ItemResult:
    return ItemResult(
        item,
        "failed",
        {"url": item.url, "error": {"code": code, "message": message}, "http_status": status},
    )


def analyse_fetched(page: FetchedPage, context: Context) -> Analysis:
    """The engine on a fetched page, with the job's sites and competitors and Googlebot's
    robots.txt verdict on the page, as a backlink check reads a page (server/monitor/check.py)."""
    allow_private = context.settings.check.allow_private
    found = verdicts([page.url], allow_private=allow_private) if context.robots_txt else {}
    return analyze(
        page.html,
        page.url,
        sites=context.sites,
        competitors=context.competitors,
        charset=page.charset,
        headers=page.headers,
        max_links=context.settings.max_links,
        robots_txt=found,
    )


def _saver(
    analysis: Analysis, context: Context, base: dict[str, Any]
) -> Callable[[Session], dict[str, Any]]:
    def save(session: Session) -> dict[str, Any]:
        prospect, created = save_page(
            session, analysis, notes=context.notes, tags=list(context.tags)
        )
        rating, why = verdict(prospect)
        return {
            **base,
            "prospect_id": prospect.id,
            "domain": prospect.domain,
            "created": created,
            "verdict": rating,
            "why": why,
        }

    return save


class ProspectBulk:
    name = KIND
    window = 16
    error_outcome = "failed"

    def prepare(self, app: Flask, job: Job, settings: JobSettings) -> Context:
        params = job.params
        return Context(
            settings=settings,
            sites=tuple(params.get("sites", [])),
            competitors=tuple(params.get("competitors", [])),
            tags=tuple(params.get("tags", [])),
            notes=str(params.get("notes", "")),
            robots_txt=bool(app.config.get("ROBOTS_TXT", True)),
        )

    def before(
        self, context: Context, session: Session, items: list[ClaimedItem]
    ) -> list[ItemResult]:
        found = []
        for item in items:
            action = action_match(item.url, context.settings.check.action_patterns)
            if action is not None:
                found.append(
                    _failed(item, "action_url", f"not fetched: looks like an action ({action})")
                )
        return found

    def work(self, context: Context, item: ClaimedItem, slot: Slot) -> ItemResult:
        check = context.settings.check
        try:
            # Redirects are followed inside the fetch, on this host's slot.
            page = fetch_page(
                item.url,
                allow_private=check.allow_private,
                connect_timeout=check.connect_timeout,
                read_timeout=check.read_timeout,
            )
        except FetchError as exc:
            message = exc.message
            if exc.code == "connect":  # the library's wording, down to the reason
                message = f"cannot connect to {item.host}: {message.rsplit(': ', 1)[-1]}"
            return _failed(item, exc.code, message, exc.status)
        slot.release()  # analysing needs no hold on the host
        try:
            analysis = analyse_fetched(page, context)
        except (InvalidSite, ValueError) as exc:
            return _failed(item, "analysis_failed", str(exc)[:500], page.status)
        except PageTooComplex as exc:
            return _failed(item, "page_too_complex", str(exc), page.status)
        except AnalysisBusy as exc:
            return _failed(item, "analysis_busy", str(exc), page.status)
        base = {
            "url": item.url,
            "final_url": page.url,
            "http_status": page.status,
            "title": analysis.page.title,
        }
        return ItemResult(item, "saved", base, _saver(analysis, context, base))

    def after(self, context: Context, session: Session, results: list[ItemResult]) -> None:
        return None
