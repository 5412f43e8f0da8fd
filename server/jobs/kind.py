"""What a kind of job supplies to the runner: how to check or process one item."""

from __future__ import annotations

from typing import Any, Protocol

from flask import Flask
from sqlalchemy.orm import Session

from server.fetch.politeness import Slot
from server.jobs.settings import JobSettings
from server.store.job_claims import ClaimedItem, ItemResult
from server.store.job_models import Job


class Kind(Protocol):
    name: str
    window: int  # items one task keeps in flight
    # The outcome recorded when an item cannot be processed at all (a crash, a worker that
    # died on it again and again).
    error_outcome: str

    def prepare(self, app: Flask, job: Job, settings: JobSettings) -> Any:
        """What the items of this job need (its parameters, settings), read once per task."""
        ...

    def before(self, context: Any, session: Session, items: list[ClaimedItem]) -> list[ItemResult]:
        """Results known without any request (a cached check, a refused URL)."""
        ...

    def work(self, context: Any, item: ClaimedItem, slot: Slot) -> ItemResult:
        """Process one item; runs on a fetch thread holding a slot on the item's host."""
        ...

    def after(self, context: Any, session: Session, results: list[ItemResult]) -> None:
        """Store what else the recorded results imply (e.g. the link-check cache)."""
        ...
