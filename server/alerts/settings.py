"""Where alerts go, read once from the app's configuration: a generic webhook (JSON POST
signed with HMAC-SHA256 of a shared secret) and any Apprise URLs (email, Slack, Discord,
Telegram...), one alert per change or a daily digest."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from server.store.alerts import Destination
from server.store.monitor_models import ALERT_KINDS


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def redact(url: str) -> str:
    """scheme://host[:port]/… — a URL without its user, password, path or query, which
    hold the tokens of most services."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unreadable URL)"
    return f"{parts.scheme}://{host}{port}/…" if parts.scheme else "(unreadable URL)"


@dataclass(frozen=True, slots=True)
class AlertSettings:
    webhook_url: str | None
    webhook_secret: str | None
    apprise_urls: tuple[str, ...]
    kinds: frozenset[str]
    digest: bool
    digest_hour: int  # UTC
    max_attempts: int
    dashboard_url: str | None  # for links in messages

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AlertSettings:
        return cls(
            webhook_url=config.get("ALERT_WEBHOOK_URL") or None,
            webhook_secret=config.get("ALERT_WEBHOOK_SECRET") or None,
            apprise_urls=tuple(config.get("ALERT_APPRISE_URLS") or ()),
            kinds=frozenset(config.get("ALERT_KINDS") or ALERT_KINDS),
            digest=bool(config.get("ALERT_DIGEST", False)),
            digest_hour=int(config.get("ALERT_DIGEST_HOUR", 8)),
            max_attempts=int(config.get("ALERT_MAX_ATTEMPTS", 10)),
            dashboard_url=config.get("DASHBOARD_URL") or None,
        )

    def destinations(self) -> list[Destination]:
        found = []
        if self.webhook_url:
            found.append(Destination("webhook", _key(self.webhook_url), redact(self.webhook_url)))
        for url in self.apprise_urls:
            found.append(Destination("apprise", _key(url), redact(url)))
        return found

    def url_of(self, key: str) -> str | None:
        """The configured URL a destination key stands for (None once it is unset)."""
        for url in (self.webhook_url, *self.apprise_urls):
            if url and _key(url) == key:
                return url
        return None
