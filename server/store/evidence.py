"""Evidence of backlink checks: kept for the checks that change a backlink's state (and the
first one, and bad news waiting for its re-check), read back, and pruned after the
retention — the latest of each backlink always stays."""

from __future__ import annotations

import gzip
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.store.backlinks import CheckOutcome
from server.store.jobs import changed
from server.store.models import BacklinkCheck
from server.store.monitor_models import BacklinkEvidence


def _gzip(text: str | None) -> bytes | None:
    if text is None:
        return None
    # Level 6: a 1 MB page in ~10 ms, to a fifth of its size or less.
    return gzip.compress(text.encode("utf-8", "surrogatepass"), compresslevel=6, mtime=0)


def save_evidence(
    session: Session, check: BacklinkCheck, outcome: CheckOutcome, now: datetime
) -> BacklinkEvidence | None:
    """Keep what the check saw; None when it saw no page (the fetch failed)."""
    page = outcome.page
    if page is None:
        return None
    evidence = BacklinkEvidence(
        check_id=check.id,
        backlink_id=check.backlink_id,
        created_at=now,
        final_url=page.final_url,
        http_status=page.status,
        headers=[[name, value] for name, value in page.headers],
        link_html=list(outcome.link_html),
        page_html=_gzip(page.html),
        page_bytes=len(page.html.encode("utf-8", "surrogatepass")),
        rendered_html=_gzip(page.rendered_html),
    )
    session.add(evidence)
    session.flush()
    return evidence


def unzip(data: bytes | None) -> str | None:
    return None if data is None else gzip.decompress(data).decode("utf-8", "surrogatepass")


def get_evidence(session: Session, evidence_id: int) -> BacklinkEvidence | None:
    return session.get(BacklinkEvidence, evidence_id)


def evidence_of_checks(session: Session, check_ids: list[int]) -> dict[int, int]:
    """check id -> evidence id, for the checks that kept evidence."""
    if not check_ids:
        return {}
    rows = session.execute(
        select(BacklinkEvidence.check_id, BacklinkEvidence.id).where(
            BacklinkEvidence.check_id.in_(check_ids)
        )
    )
    return {check_id: evidence_id for check_id, evidence_id in rows}


def list_evidence(session: Session, backlink_id: int) -> list[BacklinkEvidence]:
    return list(
        session.scalars(
            select(BacklinkEvidence)
            .where(BacklinkEvidence.backlink_id == backlink_id)
            .order_by(BacklinkEvidence.id.desc())
        ).all()
    )


def prune_evidence(session: Session, before: datetime) -> int:
    """Delete evidence older than `before`, except each backlink's latest."""
    latest = select(func.max(BacklinkEvidence.id)).group_by(BacklinkEvidence.backlink_id)
    return changed(
        session.execute(
            delete(BacklinkEvidence)
            .where(BacklinkEvidence.created_at < before, BacklinkEvidence.id.not_in(latest))
            .execution_options(synchronize_session=False)
        )
    )
