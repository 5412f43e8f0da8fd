"""`flask --app server recheck` and `flask --app server db upgrade`."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import inspect, update

from server import create_app
from server.store.db import alembic_config, get_store, session_scope
from server.store.models import Backlink, BacklinkCheck, utcnow

pytestmark = pytest.mark.databases


@pytest.fixture
def fetching_app(app: Flask) -> Flask:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    app.config["MONITOR_CONFIRM_SECONDS"] = 0  # bad news is re-checked at once
    return app


def track(app: Flask, source_url: str, target: str = "mysite.com") -> int:
    response = app.test_client().post(
        "/api/v1/backlinks", json={"source_url": source_url, "target": target}
    )
    assert response.status_code == 201
    backlink_id: int = response.get_json()["id"]
    return backlink_id


def history(app: Flask, backlink_id: int) -> list[str]:
    body = app.test_client().get(f"/api/v1/backlinks/{backlink_id}").get_json()
    return [check["result"] for check in body["history"]]


def test_recheck_checks_every_backlink_and_summarises_changes(
    fetching_app: Flask, runner: FlaskCliRunner, page_server: PageServer
) -> None:
    followed = '<a href="https://mysite.com/">me</a>'
    lost = track(fetching_app, page_server.page("/lost", followed))
    demoted = track(fetching_app, page_server.page("/demoted", followed))
    back = track(fetching_app, page_server.page("/back", "<p>not yet</p>"))
    broken = track(fetching_app, page_server.page("/broken", followed))
    steady = track(fetching_app, page_server.page("/steady", followed))

    first = runner.invoke(args=["recheck"])
    assert first.exit_code == 0, first.output
    assert (
        "Checked 5 backlinks: 4 live-followed, 0 live-nofollow, 1 missing, 0 error" in first.output
    )
    assert "Nothing changed." in first.output
    assert "Checking backlinks" not in first.output  # no progress bar without a terminal

    page_server.page("/lost", "<p>gone</p>")
    page_server.page("/demoted", '<a rel="nofollow" href="https://mysite.com/">me</a>')
    page_server.page("/back", followed)
    page_server.page("/broken", "oops", status=500)
    second = runner.invoke(args=["recheck", "--all"])
    assert second.exit_code == 0, second.output
    lines = second.output.splitlines()
    assert f"lost: #{lost} {page_server.url('/lost')} -> mysite.com" in lines
    assert any(line.startswith(f"became nofollow: #{demoted} ") for line in lines)
    assert "(rel=nofollow)" in second.output
    assert f"recovered: #{back} {page_server.url('/back')} -> mysite.com" in lines
    assert any(line.startswith(f"errors: #{broken} ") and "http_status" in line for line in lines)
    assert "Changed: 1 lost, 1 became nofollow, 1 recovered, 1 errors" in lines
    assert history(fetching_app, steady) == ["live-followed", "live-followed"]
    # The miss, then the re-check that confirmed it.
    assert history(fetching_app, lost) == ["missing", "missing", "live-followed"]


def test_recheck_says_when_a_live_link_becomes_at_risk_and_when_it_no_longer_is(
    fetching_app: Flask, runner: FlaskCliRunner, page_server: PageServer
) -> None:
    followed = '<a href="https://mysite.com/">me</a>'
    backlink = track(fetching_app, page_server.page("/p", followed))
    assert runner.invoke(args=["recheck"]).exit_code == 0
    page_server.page("/p", '<meta name="robots" content="noindex">' + followed)
    risky = runner.invoke(args=["recheck", "--all"]).output.splitlines()
    assert f"at risk: #{backlink} {page_server.url('/p')} -> mysite.com (noindex)" in risky
    assert "Changed: 1 at risk" in risky
    page_server.page("/p", followed)
    calm = runner.invoke(args=["recheck", "--all"]).output.splitlines()
    assert f"no longer at risk: #{backlink} {page_server.url('/p')} -> mysite.com" in calm
    # Becoming at risk waited for a re-check; no longer being at risk did not.
    assert history(fetching_app, backlink) == ["live-followed"] * 4


def test_recheck_skips_backlinks_checked_recently(
    fetching_app: Flask, runner: FlaskCliRunner, page_server: PageServer
) -> None:
    url = page_server.page("/a", '<a href="https://mysite.com/">me</a>')
    old = track(fetching_app, url)
    recent = track(fetching_app, url, "https://mysite.com/")
    assert runner.invoke(args=["recheck"]).exit_code == 0
    with session_scope(fetching_app) as session:
        session.execute(
            update(Backlink)
            .where(Backlink.id == old)
            .values(last_checked_at=utcnow() - timedelta(hours=30))
        )
    result = runner.invoke(args=["recheck"])
    assert "Checked 1 backlinks" in result.output
    assert len(history(fetching_app, old)) == 2
    assert len(history(fetching_app, recent)) == 1
    quiet = runner.invoke(args=["recheck", "--older-than", "48"])
    assert "No backlink is due" in quiet.output


def test_recheck_runs_at_most_the_given_number_of_fetches_at_once(
    fetching_app: Flask, runner: FlaskCliRunner, page_server: PageServer
) -> None:
    page_server.delay = 0.15
    ids = [track(fetching_app, page_server.page(f"/p{i}", "<p>x</p>")) for i in range(6)]
    result = runner.invoke(args=["recheck", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    assert page_server.most_in_flight == 2
    with session_scope(fetching_app) as session:
        assert session.query(BacklinkCheck).count() == len(ids)


def test_recheck_rejects_bad_options(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["recheck", "--concurrency", "0"]).exit_code == 2
    assert runner.invoke(args=["recheck", "--older-than", "-1"]).exit_code == 2


def test_recheck_with_nothing_tracked_says_so(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["recheck"])
    assert result.exit_code == 0
    assert "No backlink is due" in result.output


def test_db_upgrade_creates_the_schema(database_url: str, tmp_path: str) -> None:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "DATABASE_AUTO_UPGRADE": False}
    )
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = ScriptDirectory.from_config(alembic_config(get_store(app))).get_current_head()
    assert head is not None
    assert f"revision {head}" in result.output
    tables = set(inspect(get_store(app).engine).get_table_names())
    assert {
        "prospects",
        "prospect_pages",
        "prospect_tags",
        "backlinks",
        "backlink_checks",
        "jobs",
        "job_items",
        "link_check_cache",
        "workers",
        "dashboard_logins",
    } <= tables
    assert runner.invoke(args=["db", "current"]).output.strip() == head
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0
    get_store(app).engine.dispose()


def test_the_migration_downgrades_and_upgrades_again(app: Flask, runner: FlaskCliRunner) -> None:
    client = app.test_client()
    assert (
        client.post(
            "/api/v1/backlinks", json={"source_url": "https://a.com/", "target": "b.com"}
        ).status_code
        == 201
    )
    engine = get_store(app).engine
    down = runner.invoke(args=["db", "downgrade", "base", "--yes"])
    assert down.exit_code == 0, down.output
    assert "(empty)" in down.output
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert client.get("/api/v1/backlinks").get_json()["total"] == 0
    assert (
        client.post(
            "/api/v1/backlinks", json={"source_url": "https://a.com/", "target": "b.com"}
        ).status_code
        == 201
    )


def test_recheck_shows_a_progress_bar_on_a_terminal(
    tmp_path: Path, page_server: PageServer
) -> None:
    database = f"sqlite:///{tmp_path / 'tty.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": database})
    app.instance_path = str(tmp_path)
    track(app, page_server.page("/a", '<a href="https://mysite.com/">me</a>'))
    get_store(app).engine.dispose()
    env = dict(
        os.environ,
        LINKINSPECTOR_DATABASE_URL=database,
        LINKINSPECTOR_ALLOW_PRIVATE_FETCH="true",
        COLUMNS="80",
    )
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "server", "recheck"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the terminal closed
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    assert process.wait(timeout=60) == 0, output
    text = output.decode()
    assert "Checking backlinks" in text
    assert "100%" in text
    assert "Checked 1 backlinks: 1 live-followed" in text


def test_a_new_user_saves_pages_tracks_a_backlink_and_sees_its_history(
    fetching_app: Flask, runner: FlaskCliRunner, page_server: PageServer
) -> None:
    client = fetching_app.test_client()
    mine = '<a href="https://mysite.com/guide">my guide</a>'
    pages = [
        ("https://alpha.com/one", "<title>One</title>"),
        ("https://www.alpha.com/two", "<title>Two</title>"),
        ("https://beta.org/", f"<title>Beta</title>{mine}"),
    ]
    for url, html in pages:
        response = client.post(
            "/api/v1/prospects", json={"url": url, "html": html, "sites": ["mysite.com"]}
        )
        assert response.status_code == 201
    listing = client.get("/api/v1/prospects?sort=domain").get_json()
    assert [(p["domain"], p["page_count"]) for p in listing["items"]] == [
        ("alpha.com", 2),
        ("beta.org", 1),
    ]
    assert listing["items"][1]["verdict"] == "won"

    source = page_server.page("/beta", mine)
    backlink_id = track(fetching_app, source)
    assert runner.invoke(args=["recheck"]).exit_code == 0
    page_server.page("/beta", "<p>redesigned, link gone</p>")
    result = runner.invoke(args=["recheck", "--all"])
    assert f"lost: #{backlink_id} {source} -> mysite.com" in result.output
    assert history(fetching_app, backlink_id) == ["missing", "missing", "live-followed"]


def test_recheck_without_waiting_leaves_bad_news_to_its_re_check(
    fetching_app: Flask, runner: FlaskCliRunner, page_server: PageServer
) -> None:
    url = page_server.page("/p", '<a href="https://mysite.com/">me</a>')
    backlink = track(fetching_app, url)
    assert runner.invoke(args=["recheck"]).exit_code == 0
    page_server.page("/p", "<p>gone</p>")
    first = runner.invoke(args=["recheck", "--all", "--no-wait"])
    assert f"to be confirmed: #{backlink} {url} -> mysite.com looks missing" in first.output
    assert "Nothing changed." in first.output
    # The next run picks the due re-check up (not checked for 24 h or not), and confirms it.
    second = runner.invoke(args=["recheck"])
    assert f"lost: #{backlink} {url} -> mysite.com" in second.output.splitlines()
    assert history(fetching_app, backlink) == ["missing", "missing", "live-followed"]
