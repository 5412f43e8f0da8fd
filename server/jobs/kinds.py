"""Every kind of job, by name."""

from __future__ import annotations

from server.jobs.backlink_checks import BacklinkChecks
from server.jobs.kind import Kind
from server.jobs.link_checks import LinkChecks
from server.jobs.prospect_bulk import ProspectBulk

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (LinkChecks(), ProspectBulk(), BacklinkChecks())
}
