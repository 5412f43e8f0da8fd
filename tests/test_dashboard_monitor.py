"""The dashboard's monitoring pages through the test client: a CSV import (file or pasted,
rows with errors named) that checks the new backlinks in a job, the at-risk / drift /
re-check filters, the agreed placement form, the timeline, the evidence page (hostile page
content shown as text, never as HTML; the page as a gzip attachment), and the Alerts page
with Retry now."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskClient
from test_dashboard import page, post_form

from server import create_app
from server.alerts import deliver_due
from server.jobs.runner import run_until_done
from server.store.db import session_scope
from server.store.job_models import Job

HOSTILE = (
    '<main><p>Thanks <a href="https://mysite.com/" onclick="alert(1)">me</a><script>alert(2)'
    "</script></p></main><img src=x onerror=alert(3)>"
)


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    made = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3",
            "ALLOW_PRIVATE_FETCH": True,
            "MONITOR_CONFIRM_SECONDS": 0,
            "RENDER": "never",
            # Nothing listens on this loopback port: every delivery fails.
            "ALERT_WEBHOOK_URL": "http://127.0.0.1:1/hook",
            "ALERT_WEBHOOK_SECRET": "s" * 20,
        }
    )
    made.instance_path = str(tmp_path)
    yield made
    made.extensions["linkinspector.store"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_a_csv_import_tracks_rows_names_bad_ones_and_checks_the_new_ones(
    app: Flask, client: FlaskClient, page_server: PageServer
) -> None:
    good = page_server.page("/a", '<a href="https://mysite.com/">me</a>')
    upload = f"source_url,anchor\n{good},me\nnot a url,x\n".encode()
    response = post_form(
        client,
        "/backlinks/import",
        {"file": (io.BytesIO(upload), "links.csv"), "target": "mysite.com", "check_now": "1"},
        from_page="/backlinks",
    )
    assert response.status_code == 303
    listing = page(client, "/backlinks")
    assert "Imported 1 new backlinks" in listing and "Checking them now: job #" in listing
    assert "Row 3: the source page must be an absolute http(s) URL" in listing
    with session_scope(app) as session:
        job = session.query(Job).one()
        assert job.kind == "backlink-check"
        job_id = job.id
    run_until_done(app, job_id)
    assert "Live · followed" in page(client, "/backlinks")
    assert "Backlink checks" in page(client, f"/jobs/{job_id}")
    assert f"#{job_id} Backlink checks" not in page(client, "/jobs")  # listed apart
    assert f"#{job_id} Backlink checks" in page(client, "/jobs?kind=backlink-check")
    pasted = post_form(
        client,
        "/backlinks/import",
        {"csv": f"{page_server.url('/b')},mysite.com\n"},
        from_page="/backlinks",
    )
    assert pasted.status_code == 303
    assert "its slot in the interval" in page(client, "/backlinks")


def test_filters_terms_timeline_evidence_and_alerts(
    app: Flask, client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", HOSTILE)
    tracked = post_form(
        client,
        "/backlinks",
        {
            "source_url": url,
            "target": "mysite.com",
            "agreed_anchor": "me",
            "agreed_rel": "followed",
        },
        from_page="/backlinks",
    )
    assert tracked.status_code == 303
    backlink_id = client.get("/api/v1/backlinks").get_json()["items"][0]["id"]
    post_form(client, f"/backlinks/{backlink_id}/check", {}, from_page="/backlinks")
    page_server.page("/post", HOSTILE.replace(">me<", ">click here<"))
    post_form(client, f"/backlinks/{backlink_id}/check", {}, from_page="/backlinks")
    assert "re-check at" in page(client, "/backlinks?show=pending")
    post_form(client, f"/backlinks/{backlink_id}/check", {}, from_page="/backlinks")
    drifted = page(client, "/backlinks?show=drift")
    assert "drift: anchor changed" in drifted
    assert "No backlink in this state" in page(client, "/backlinks?show=at_risk")
    assert client.get("/backlinks?show=everything").status_code == 400

    timeline = page(client, f"/backlinks/{backlink_id}")
    assert "confirmed by the next check" in timeline
    assert "Placement drift" in timeline
    assert "Accept the current placement" in timeline
    evidence_id = client.get(f"/api/v1/backlinks/{backlink_id}").get_json()["history"][0][
        "evidence_id"
    ]
    shown = page(client, f"/evidence/{evidence_id}")
    assert "<script>alert(2)" not in shown and "<img src=x" not in shown
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in shown
    assert "&lt;img src=x onerror=alert(3)&gt;" in shown
    download = client.get(f"/evidence/{evidence_id}/page.html.gz")
    assert download.mimetype == "application/gzip"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert b"alert(2)" in gzip.decompress(download.data)

    saved = post_form(
        client,
        f"/backlinks/{backlink_id}/terms",
        {"agreed_anchor": "click here", "agreed_rel": "followed", "interval_hours": "6"},
        from_page=f"/backlinks/{backlink_id}",
    )
    assert saved.status_code == 303
    assert "every 6 h" in page(client, f"/backlinks/{backlink_id}")
    bad = post_form(
        client,
        f"/backlinks/{backlink_id}/terms",
        {"interval_hours": "0"},
        from_page=f"/backlinks/{backlink_id}",
    )
    assert bad.status_code == 303
    assert "Not saved" in page(client, f"/backlinks/{backlink_id}")
    accepted = post_form(
        client,
        f"/backlinks/{backlink_id}/terms",
        {"accept_placement": "1"},
        from_page=f"/backlinks/{backlink_id}",
    )
    assert accepted.status_code == 303
    assert "drift:" not in page(client, f"/backlinks/{backlink_id}").split("<h2>Timeline")[0]

    deliver_due(app)  # nothing listens: the delivery waits for its next attempt
    alerts = page(client, "/alerts?state=pending")
    assert "Placement drift" in alerts and "Retry now" in alerts
    assert "http://127.0.0.1:1/…" in alerts and "/hook" not in alerts
    delivery_id = client.get("/api/v1/alert-deliveries").get_json()["items"][0]["id"]
    retried = post_form(client, f"/alerts/deliveries/{delivery_id}/retry", {}, from_page="/alerts")
    assert retried.status_code == 303
    assert "Queued to be sent again now" in page(client, "/alerts")
