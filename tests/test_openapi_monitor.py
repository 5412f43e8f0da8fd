"""The monitoring API answers what its OpenAPI document says, on real responses: a
backlink tracked with its agreement, checked (pending, then confirmed), edited, its
evidence listed, read and downloaded, the alert it raised with its deliveries (one failing,
retried), a CSV import that starts a backlink-check job read through the jobs API, and
each documented error."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskClient
from monitor_web import Webhook, webhook_receiver
from openapi_document import check, fetch_document, response_object, validate

from server import create_app
from server.alerts import deliver_due
from server.jobs.runner import run_until_done

pytestmark = pytest.mark.databases
SECRET = "a-shared-secret-of-some-length"


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def monitor_app(tmp_path: Any, database_url: str, hook: Webhook) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ALLOW_PRIVATE_FETCH": True,
            "MONITOR_CONFIRM_SECONDS": 0,
            "RENDER": "never",
            "ALERT_WEBHOOK_URL": hook.url,
            "ALERT_WEBHOOK_SECRET": SECRET,
        }
    )
    app.instance_path = str(tmp_path)
    yield app
    app.extensions["linkinspector.store"].engine.dispose()


@pytest.fixture
def client(monitor_app: Flask) -> FlaskClient:
    return monitor_app.test_client()


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    return fetch_document(client)


BACKLINK = "/api/v1/backlinks/{backlink_id}"


def test_a_monitored_backlink_its_evidence_and_alerts_match_the_document(
    monitor_app: Flask,
    client: FlaskClient,
    document: dict[str, Any],
    page_server: PageServer,
    hook: Webhook,
) -> None:
    url = page_server.page("/post", '<main><a href="https://mysite.com/guide">my guide</a></main>')
    body = {
        "source_url": url,
        "target": "mysite.com",
        "agreed_url": "https://mysite.com/guide",
        "agreed_anchor": "my guide",
        "agreed_rel": "followed",
        "interval_hours": 12,
    }
    tracked = check(
        document, client.post("/api/v1/backlinks", json=body), "/api/v1/backlinks", "post", 201
    )
    backlink_id = tracked["id"]
    assert tracked["agreement"] == {
        "url": "https://mysite.com/guide",
        "anchor": "my guide",
        "rel": "followed",
    }
    assert tracked["next_check_at"] is not None
    path = BACKLINK + "/check"
    check(document, client.post(path.format(backlink_id=backlink_id)), path, "post", 200)
    page_server.page("/post", '<main><a href="https://mysite.com/guide">click here</a></main>')
    pending = check(document, client.post(path.format(backlink_id=backlink_id)), path, "post", 200)
    assert pending["check"]["confirmation"] == "pending"
    hook.fail_next = 1
    confirmed = check(
        document, client.post(path.format(backlink_id=backlink_id)), path, "post", 200
    )
    assert confirmed["last_drift"] == ["anchor_changed"]
    listed = check(
        document, client.get("/api/v1/backlinks?show=drift"), "/api/v1/backlinks", "get", 200
    )
    assert [b["id"] for b in listed["items"]] == [backlink_id]
    edited = check(
        document,
        client.patch(
            BACKLINK.format(backlink_id=backlink_id),
            json={"agreed_anchor": "click here", "interval_hours": None},
        ),
        BACKLINK,
        "patch",
        200,
    )
    assert edited["agreement"]["anchor"] == "click here" and edited["interval_hours"] is None

    path = BACKLINK + "/evidence"
    evidence = check(document, client.get(path.format(backlink_id=backlink_id)), path, "get", 200)
    assert len(evidence["items"]) == 3  # the first check, the pending one, the confirmed change
    newest = evidence["items"][0]
    path = "/api/v1/evidence/{evidence_id}"
    one = check(document, client.get(path.format(evidence_id=newest["id"])), path, "get", 200)
    assert "click here" in one["link_html"][0]
    path = "/api/v1/evidence/{evidence_id}/page.html.gz"
    download = client.get(path.format(evidence_id=newest["id"]))
    assert download.status_code == 200 and download.mimetype == "application/gzip"
    header = response_object(document, path, "get", 200)["headers"]["Content-Disposition"]
    validate(document, header["schema"], download.headers["Content-Disposition"])
    assert b"click here" in gzip.decompress(download.data)
    missing = client.get(path.format(evidence_id=newest["id"]) + "?rendered=true")
    assert check(document, missing, path, "get", 404)["error"]["code"] == "not_rendered"

    deliver_due(monitor_app)  # the webhook answers 500 once
    alerts = check(document, client.get("/api/v1/alerts"), "/api/v1/alerts", "get", 200)
    assert [a["kind"] for a in alerts["items"]] == ["drift"]
    (delivery,) = alerts["items"][0]["deliveries"]
    assert delivery["state"] == "pending" and delivery["attempts"] == 1
    path = "/api/v1/alert-deliveries"
    waiting = check(document, client.get(path + "?state=pending"), path, "get", 200)
    assert waiting["items"][0]["last_error"]
    path = "/api/v1/alert-deliveries/{delivery_id}/retry"
    check(document, client.post(path.format(delivery_id=delivery["id"])), path, "post", 200)
    deliver_due(monitor_app)
    again = check(document, client.post(path.format(delivery_id=delivery["id"])), path, "post", 409)
    assert again["error"]["code"] == "already_sent"
    assert check(document, client.post(path.format(delivery_id=999)), path, "post", 404)


def test_a_csv_import_and_its_backlink_check_job_match_the_document(
    monitor_app: Flask, client: FlaskClient, document: dict[str, Any], page_server: PageServer
) -> None:
    good = page_server.page("/a", '<a href="https://mysite.com/">me</a>')
    csv = (
        "Source URL,Anchor,Rel\n"
        f"{good},me,followed\n"
        f"{page_server.url('/b')},,\n"
        "not a url,,\n"
        f"{good},me,paid\n"
    )
    path = "/api/v1/backlinks/import"
    response = client.post(path + "?target=mysite.com&check=now", data=csv, content_type="text/csv")
    report = check(document, response, path, "post", 200)
    assert [r["row"] for r in report["created"]] == [2, 3]
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (4, "source_url"),
        (5, "agreed_rel"),
    ]
    assert report["job_id"] is not None
    run_until_done(monitor_app, report["job_id"])
    job = check(
        document,
        client.get(f"/api/v1/jobs/{report['job_id']}"),
        "/api/v1/jobs/{job_id}",
        "get",
        200,
    )
    assert job["kind"] == "backlink-check" and job["status"] == "done"
    assert sorted(r["result"] for r in job["results"]) == ["live-followed", "missing"]
    no_target = client.post(path, data=f"source_url\n{good}\n", content_type="text/csv")
    assert check(document, no_target, path, "post", 400)["error"]["code"] == "invalid_csv"
    empty = client.post(path, data="\n", content_type="text/csv")
    assert check(document, empty, path, "post", 400)["error"]["code"] == "invalid_csv"


def test_monitoring_errors_match_the_document(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    bad = client.post(
        "/api/v1/backlinks",
        json={"source_url": "https://b.example/", "target": "mysite.com", "agreed_rel": "paid"},
    )
    assert (
        check(document, bad, "/api/v1/backlinks", "post", 400)["error"]["code"]
        == "invalid_agreed_rel"
    )
    show = client.get("/api/v1/backlinks?show=everything")
    assert check(document, show, "/api/v1/backlinks", "get", 400)["error"]["code"] == "invalid_show"
    created = client.post(
        "/api/v1/backlinks", json={"source_url": "https://b.example/", "target": "mysite.com"}
    )
    backlink_id = created.get_json()["id"]
    unknown = client.patch(BACKLINK.format(backlink_id=backlink_id), json={"colour": "red"})
    assert check(document, unknown, BACKLINK, "patch", 400)["error"]["code"] == "invalid_field"
    interval = client.patch(BACKLINK.format(backlink_id=backlink_id), json={"interval_hours": 0})
    assert (
        check(document, interval, BACKLINK, "patch", 400)["error"]["code"]
        == "invalid_interval_hours"
    )
    assert check(
        document, client.patch(BACKLINK.format(backlink_id=999), json={}), BACKLINK, "patch", 404
    )
    path = "/api/v1/evidence/{evidence_id}"
    assert check(document, client.get(path.format(evidence_id=5)), path, "get", 404)
    path = "/api/v1/alert-deliveries"
    state = client.get(path + "?state=lost")
    assert check(document, state, path, "get", 400)["error"]["code"] == "invalid_state"
    path = BACKLINK + "/evidence"
    assert check(document, client.get(path.format(backlink_id=999)), path, "get", 404)
