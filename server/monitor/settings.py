"""The monitor's settings, read once from the app's configuration (server/config.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

RENDER_MODES = ("auto", "always", "never")


def private_fetch_allowed(config: Mapping[str, Any]) -> bool:
    """ALLOW_PRIVATE_FETCH, read strictly: only true / 1 / yes / on turn it on (an env value
    such as "no" must not count as a non-empty, truthy string)."""
    value = config.get("ALLOW_PRIVATE_FETCH", False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value is True or value == 1


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    schedule: bool  # workers check due backlinks on their own
    interval: timedelta  # between checks of a backlink without its own interval
    confirm_delay: timedelta  # before bad news is checked again
    render: str  # auto | always | never
    allow_private: bool
    max_links: int
    robots_txt: bool
    evidence_retention: timedelta
    alert_kinds: frozenset[str]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MonitorSettings:
        return cls(
            schedule=bool(config.get("MONITOR_SCHEDULE", True)),
            interval=timedelta(hours=float(config.get("MONITOR_INTERVAL_HOURS", 24))),
            confirm_delay=timedelta(seconds=float(config.get("MONITOR_CONFIRM_SECONDS", 1800))),
            render=str(config.get("RENDER", "auto")),
            allow_private=private_fetch_allowed(config),
            max_links=int(config.get("MAX_LINKS", 10_000)),
            robots_txt=bool(config.get("ROBOTS_TXT", True)),
            evidence_retention=timedelta(days=int(config.get("EVIDENCE_RETENTION_DAYS", 365))),
            alert_kinds=frozenset(config.get("ALERT_KINDS") or ()),
        )

    def interval_of(self, hours: int | None) -> timedelta:
        """A backlink's interval: its own, else the global one."""
        return timedelta(hours=hours) if hours else self.interval
