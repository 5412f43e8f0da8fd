"""Outbound link checks: is each link ok, redirected, broken, failing, blocked, slow,
unreachable — checked politely through the server's one network client (server/fetch)."""

from __future__ import annotations

from server.linkcheck.checker import CheckSettings, check_link
from server.linkcheck.model import LASTING_RESULTS, RESULTS, Hop, LinkCheck

__all__ = ["LASTING_RESULTS", "RESULTS", "CheckSettings", "Hop", "LinkCheck", "check_link"]
