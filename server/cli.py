"""Commands on the app: `flask --app server db upgrade` and `flask --app server recheck`."""

from __future__ import annotations

import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from server.monitor import check_backlink, private_fetch_allowed
from server.store import db
from server.store.backlinks import due_backlink_ids, get_backlink, record_check

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


def _recheck_one(app: Flask, backlink_id: int) -> Change | None:
    """Check one backlink in a session of its own; the change it made, if any."""
    with db.session_scope(app) as session:
        backlink = get_backlink(session, backlink_id)
        if backlink is None:  # deleted meanwhile
            return None
        source_url, target, before = backlink.source_url, backlink.target, backlink.last_result
        risks_before = tuple(backlink.last_risks or ())
    outcome = check_backlink(
        source_url,
        target,
        allow_private=private_fetch_allowed(app.config),
        max_links=int(app.config["MAX_LINKS"]),
        robots_txt=bool(app.config["ROBOTS_TXT"]),
    )
    with db.session_scope(app) as session:
        backlink = get_backlink(session, backlink_id)
        if backlink is None:
            return None
        record_check(session, backlink, outcome)
    detail = ", ".join(outcome.reasons + outcome.risks) or (
        f"{outcome.error_code}: {outcome.error_message}" if outcome.error_code else ""
    )
    return Change(
        backlink_id, source_url, target, before, outcome.result, detail, risks_before, outcome.risks
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
def recheck_command(older_than: float, check_all: bool, concurrency: int) -> None:
    """Fetch the source page of every due backlink and record what changed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with db.session_scope(app) as session:
        ids = due_backlink_ids(session, None if check_all else timedelta(hours=older_than))
    if not ids:
        click.echo("No backlink is due for a check.")
        return
    results: list[Change] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(_recheck_one, app, i) for i in ids]
        done = as_completed(futures)
        if sys.stdout.isatty():  # a progress bar on a terminal only, never in logs
            with click.progressbar(done, length=len(ids), label="Checking backlinks") as bar:
                results = [c for f in bar if (c := f.result()) is not None]
        else:
            results = [c for f in done if (c := f.result()) is not None]
    counts = Counter(c.after for c in results)
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


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(recheck_command)
