"""What checking one link found: a result class, the HTTP status, the redirects followed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# ok: 2xx at once; redirect: 2xx after redirects; broken: 404, 410 and the other answers
# that mean the page is not there; server_error: 5xx, still after a retry; blocked: the site
# would not tell us (401/403/429 that did not clear, LinkedIn's 999, a bot challenge) — not
# "broken"; timeout; unreachable: no DNS name, connection refused, TLS failure; refused: our
# SSRF guard (a private address); skipped: the URL looks like an action (logout, delete...).
RESULTS = (
    "ok",
    "redirect",
    "broken",
    "server_error",
    "blocked",
    "timeout",
    "unreachable",
    "refused",
    "skipped",
)
# The results that say something about the link itself (safe to reuse for a while).
LASTING_RESULTS = frozenset({"ok", "redirect", "broken", "refused", "skipped"})


@dataclass(frozen=True, slots=True)
class Hop:
    """A redirect: the URL requested and the 3xx status it answered."""

    url: str
    status: int


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The outcome of checking one URL."""

    url: str
    result: str  # one of RESULTS
    http_status: int | None  # the final answer's status (None when there was no answer)
    final_url: str | None  # the last URL requested
    redirects: tuple[Hop, ...]
    checked_at: datetime
    detail: str | None = None  # why, for people: "HEAD 405, then GET", "Retry-After 300 s"
    from_cache: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "result": self.result,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": [{"url": h.url, "status": h.status} for h in self.redirects],
            "checked_at": self.checked_at.isoformat().replace("+00:00", "Z"),
            "from_cache": self.from_cache,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkCheck:
        return cls(
            url=data["url"],
            result=data["result"],
            http_status=data.get("http_status"),
            final_url=data.get("final_url"),
            redirects=tuple(Hop(h["url"], h["status"]) for h in data.get("redirects", [])),
            checked_at=datetime.fromisoformat(data["checked_at"].replace("Z", "+00:00")),
            detail=data.get("detail"),
            from_cache=bool(data.get("from_cache", False)),
        )
