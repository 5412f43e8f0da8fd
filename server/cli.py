"""Commands on the app: `flask --app server db upgrade` and `flask --app server recheck`."""

from __future__ import annotations

import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from server.monitor import check_now, monitor_settings
from server.store import db
from server.store.backlinks import due_backlink_ids, get_backlink
from server.store.models import Backlink, BacklinkCheck

db_cli = AppGroup("db", help="The database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_command(revision: str) -> None:
    """Create or upgrade the schema; safe to run on every start."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store = db.get_store_without_upgrade(app)
    db.upgrade_schema(app, store, revision)
    click.echo(f"Database at revision {db.current_revision(app)}: {store.engine.url!r}")


@db_cli.command("downgrade")
@click.argument("revision")
@click.confirmation_option(prompt="Downgrading can drop tables and their data. Continue?")
def downgrade_command(revision: str) -> None:
    """Take the schema back to REVISION (e.g. `base`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.downgrade_schema(app, revision)
    click.echo(f"Database at revision {db.current_revision(app) or '(empty)'}")


@db_cli.command("current")
def current_command() -> None:
    """Print the schema revision of the database."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.get_store_without_upgrade(app)
    click.echo(db.current_revision(app) or "(empty database)")


@dataclass(frozen=True, slots=True)
class Change:
    backlink_id: int
    source_url: str
    target: str
    before: str | None
    after: str
    detail: str
    risks_before: tuple[str, ...] = ()
    risks_after: tuple[str, ...] = ()
    pending: str | None = None  # bad news seen, waiting for its re-check


def _recheck_one(app: Flask, backlink_id: int) -> Change | None:
    """Check one backlink (sessions of its own); the change it made, if any."""
    with db.session_scope(app) as session:
        backlink = get_backlink(session, backlink_id)
        if backlink is None:  # deleted meanwhile
            return None
        before, risks_before = backlink.last_result, tuple(backlink.last_risks or ())
    check_id = check_now(app, backlink_id, trigger="recheck")
    if check_id is None:
        return None
    with db.session_scope(app) as session:
        check = session.get(BacklinkCheck, check_id)
        backlink = session.get(Backlink, backlink_id)
        if check is None or backlink is None:
            return None
        # A link that became nofollow has of course changed rel: said once.
        drift = [d for d in check.drift if not (d == "rel_changed" and check.reasons)]
        detail = ", ".join(check.reasons + check.risks + [f"drift: {d}" for d in drift]) or (
            f"{check.error_code}: {check.error_message}" if check.error_code else ""
        )
        if check.confirmation == "pending":
            # Bad news waits for its re-check: nothing changed yet.
            return Change(
                backlink_id,
                backlink.source_url,
                backlink.target,
                before,
                before or check.result,
                detail,
                risks_before,
                risks_before,
                pending=check.result,
            )
        return Change(
            backlink_id,
            backlink.source_url,
            backlink.target,
            before,
            check.result,
            detail,
            risks_before,
            tuple(check.risks or ()),
        )


def change_kind(
    before: str | None,
    after: str,
    risks_before: tuple[str, ...] = (),
    risks_after: tuple[str, ...] = (),
) -> str | None:
    """How a result moved: lost / became nofollow / recovered / at risk / no longer at risk /
    errors; None if unchanged."""
    if after == "error":
        return "errors"  # listed every time: a page that keeps failing needs a look
    if before == after:
        if before is None or risks_before == risks_after:
            return None
        return "at risk" if risks_after else "no longer at risk"
    if after == "missing":
        return "lost" if before is not None else "missing"
    if after == "live-nofollow":
        return "became nofollow" if before is not None else "nofollow"
    return "recovered" if before is not None else "live"


_REPORTED = ("lost", "became nofollow", "at risk", "no longer at risk", "recovered", "errors")


@click.command("recheck")
@with_appcontext
@click.option(
    "--older-than",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="Recheck backlinks last checked more than this many hours ago.",
)
@click.option("--all", "check_all", is_flag=True, help="Recheck every backlink.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait LINKINSPECTOR_MONITOR_CONFIRM_SECONDS and re-check bad news before it counts "
    "(--no-wait leaves the re-checks to the next run or a worker).",
)
def recheck_command(older_than: float, check_all: bool, concurrency: int, wait: bool) -> None:
    """Fetch the source page of every due backlink and record what changed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with db.session_scope(app) as session:
        ids = due_backlink_ids(session, None if check_all else timedelta(hours=older_than))
    if not ids:
        click.echo("No backlink is due for a check.")
        return
    results = _check_all(app, ids, concurrency)
    pending = [c for c in results if c.pending is not None]
    if pending and wait:
        delay = monitor_settings(app).confirm_delay.total_seconds()
        click.echo(
            f"{len(pending)} backlinks look worse; checking them again in {delay:g} s "
            "before anything changes."
        )
        time.sleep(delay)
        again = {
            c.backlink_id: c for c in _check_all(app, [c.backlink_id for c in pending], concurrency)
        }
        results = [again.get(c.backlink_id, c) for c in results]
    counts = Counter(c.pending or c.after for c in results)
    click.echo(
        f"Checked {len(results)} backlinks: "
        + ", ".join(
            f"{counts[r]} {r}" for r in ("live-followed", "live-nofollow", "missing", "error")
        )
    )
    groups: dict[str, list[Change]] = {}
    for change in sorted(results, key=lambda c: c.backlink_id):
        kind = change_kind(change.before, change.after, change.risks_before, change.risks_after)
        if kind in _REPORTED:
            groups.setdefault(kind, []).append(change)
    for change in results:
        if change.pending is not None:
            click.echo(
                f"to be confirmed: #{change.backlink_id} {change.source_url} -> {change.target} "
                f"looks {change.pending}{f' ({change.detail})' if change.detail else ''}"
            )
    if not groups:
        click.echo("Nothing changed.")
    for kind in _REPORTED:
        for change in groups.get(kind, []):
            why = f" ({change.detail})" if change.detail else ""
            click.echo(f"{kind}: #{change.backlink_id} {change.source_url} -> {change.target}{why}")
    if groups:
        click.echo(
            "Changed: " + ", ".join(f"{len(groups[k])} {k}" for k in _REPORTED if k in groups)
        )


def _check_all(app: Flask, ids: list[int], concurrency: int) -> list[Change]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(_recheck_one, app, i) for i in ids]
        done = as_completed(futures)
        if sys.stdout.isatty():  # a progress bar on a terminal only, never in logs
            with click.progressbar(done, length=len(ids), label="Checking backlinks") as bar:
                return [c for f in bar if (c := f.result()) is not None]
        return [c for f in done if (c := f.result()) is not None]


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(recheck_command)
