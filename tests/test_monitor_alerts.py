"""A page that drops a link: the first check that misses it changes nothing and is
re-checked after the delay; the re-check confirms it, the state becomes missing and one
alert goes out — one signed webhook request and one email through Apprise to a local SMTP
server — and nothing is sent again. A failing webhook is retried until it takes the alert,
and the failure is visible meanwhile."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from monitor_web import Mailbox, Webhook, smtp_server, webhook_receiver
from simulated_web import SimulatedWeb

from server import create_app
from server.alerts import deliver_due
from server.jobs.backlink_checks import schedule_due
from server.jobs.runner import run_until_done
from server.store.db import session_scope
from server.store.models import Backlink, utcnow
from server.store.monitor_models import AlertDelivery

pytestmark = pytest.mark.databases
SECRET = "a-shared-secret-of-some-length"
LINKED = '<main><p>Read <a href="https://mysite.com/guide">the guide</a>.</p></main>'


@pytest.fixture
def web() -> Iterator[SimulatedWeb]:
    with SimulatedWeb(1, delay=0.0) as simulated:
        yield simulated


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def monitor_app(
    tmp_path: Any, database_url: str, hook: Webhook, mailbox: Mailbox
) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ALLOW_PRIVATE_FETCH": True,
            "MONITOR_CONFIRM_SECONDS": 0,
            "RENDER": "never",
            "ALERT_WEBHOOK_URL": hook.url,
            "ALERT_WEBHOOK_SECRET": SECRET,
            "ALERT_APPRISE_URLS": [
                f"mailto://127.0.0.1:{mailbox.port}?from=monitor@example.com"
                "&to=me@example.com&mode=insecure"
            ],
        }
    )
    app.instance_path = str(tmp_path)
    yield app
    app.extensions["linkinspector.store"].engine.dispose()


def track(app: Flask, url: str) -> int:
    response = app.test_client().post(
        "/api/v1/backlinks", json={"source_url": url, "target": "mysite.com"}
    )
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def make_due(app: Flask, backlink_id: int) -> None:
    with session_scope(app) as session:
        backlink = session.get(Backlink, backlink_id)
        assert backlink is not None
        backlink.next_check_at = utcnow() - timedelta(seconds=1)


def scheduled_round(app: Flask) -> None:
    """What a worker's minute does: start a job for what is due and run it."""
    job_id = schedule_due(app)
    assert job_id is not None
    run_until_done(app, job_id)


def state(app: Flask, backlink_id: int) -> dict[str, Any]:
    body: dict[str, Any] = app.test_client().get(f"/api/v1/backlinks/{backlink_id}").get_json()
    return body


def test_a_dropped_link_is_confirmed_then_alerted_once_by_webhook_and_email(
    monitor_app: Flask, web: SimulatedWeb, hook: Webhook, mailbox: Mailbox
) -> None:
    host = web.hosts[0]
    url = host.page("/html/post", LINKED)
    backlink_id = track(monitor_app, url)
    make_due(monitor_app, backlink_id)
    scheduled_round(monitor_app)
    assert state(monitor_app, backlink_id)["last_result"] == "live-followed"

    host.page("/html/post", "<main><p>Read the guide.</p></main>")
    make_due(monitor_app, backlink_id)
    scheduled_round(monitor_app)
    looked = state(monitor_app, backlink_id)
    assert looked["last_result"] == "live-followed"  # one miss changes nothing
    assert looked["history"][0]["confirmation"] == "pending"
    assert looked["pending_check_id"] == looked["history"][0]["id"]
    assert deliver_due(monitor_app) == 0 and hook.requests == []

    scheduled_round(monitor_app)  # the re-check is due at once (delay 0)
    confirmed = state(monitor_app, backlink_id)
    assert confirmed["last_result"] == "missing"
    assert confirmed["history"][1]["confirmation"] == "confirmed"
    assert confirmed["history"][0]["changed"] is True
    assert confirmed["history"][0]["evidence_id"] is not None

    assert deliver_due(monitor_app) == 2
    assert len(hook.requests) == 1
    assert hook.valid(SECRET)
    body = hook.bodies()[0]
    assert body["event"] == "backlink.lost"
    assert body["alert"]["details"]["source_url"] == url
    assert hook.requests[0][0]["x-linkinspector-delivery"] == str(body["delivery_id"])
    for _ in range(50):
        if mailbox.messages:
            break
        time.sleep(0.05)
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["To"] == "me@example.com"
    assert "Backlink lost" in mail["Subject"]
    assert url in mail.get_payload(decode=True).decode()

    # Nothing is ever sent twice: more rounds, more deliveries, the same one request.
    make_due(monitor_app, backlink_id)
    scheduled_round(monitor_app)
    assert deliver_due(monitor_app) == 0
    assert len(hook.requests) == 1 and len(mailbox.messages) == 1
    alerts = monitor_app.test_client().get("/api/v1/alerts").get_json()
    assert [a["kind"] for a in alerts["items"]] == ["lost"]
    assert {d["state"] for d in alerts["items"][0]["deliveries"]} == {"sent"}


def test_a_blip_is_dismissed_by_the_re_check_and_raises_nothing(
    monitor_app: Flask, web: SimulatedWeb, hook: Webhook
) -> None:
    host = web.hosts[0]
    url = host.page("/html/post", LINKED)
    backlink_id = track(monitor_app, url)
    make_due(monitor_app, backlink_id)
    scheduled_round(monitor_app)
    host.pages.pop("/html/post")  # a 404 for one check: the page is gone, or is it?
    make_due(monitor_app, backlink_id)
    scheduled_round(monitor_app)
    assert state(monitor_app, backlink_id)["history"][0]["result"] == "missing"
    host.page("/html/post", LINKED)
    scheduled_round(monitor_app)
    after = state(monitor_app, backlink_id)
    assert after["last_result"] == "live-followed"
    assert [c["confirmation"] for c in after["history"]] == [None, "dismissed", None]
    assert deliver_due(monitor_app) == 0 and hook.requests == []


def test_a_failing_webhook_is_retried_and_its_failure_shows_until_it_takes_the_alert(
    monitor_app: Flask, web: SimulatedWeb, hook: Webhook
) -> None:
    host = web.hosts[0]
    url = host.page("/html/post", LINKED)
    backlink_id = track(monitor_app, url)
    monitor_app.test_client().post(f"/api/v1/backlinks/{backlink_id}/check")
    host.page("/html/post", LINKED.replace("<a ", '<a rel="nofollow" '))
    monitor_app.test_client().post(f"/api/v1/backlinks/{backlink_id}/check")
    monitor_app.test_client().post(f"/api/v1/backlinks/{backlink_id}/check")
    assert state(monitor_app, backlink_id)["last_result"] == "live-nofollow"
    hook.fail_next = 2
    deliver_due(monitor_app)
    client = monitor_app.test_client()
    failing = client.get("/api/v1/alert-deliveries?state=pending").get_json()["items"]
    webhook = [d for d in failing if d["channel"] == "webhook"]
    assert len(webhook) == 1
    assert webhook[0]["attempts"] == 1
    assert "HTTP 500" in webhook[0]["last_error"]
    assert "/hooks" not in webhook[0]["destination"]  # the path may hold a token
    page = client.get("/alerts")
    assert page.status_code == 200
    assert b"HTTP 500" in page.data
    # The next attempt is due a minute later; a worker's minute sweep picks it up.
    later = utcnow() + timedelta(minutes=1, seconds=1)
    deliver_due(monitor_app, now=later)
    assert len(hook.requests) == 2
    assert (
        "HTTP 500"
        in client.get("/api/v1/alert-deliveries?state=pending").get_json()["items"][0]["last_error"]
    )
    # Retry now (the dashboard's button) skips the wait.
    retried = client.post(f"/api/v1/alert-deliveries/{webhook[0]['id']}/retry")
    assert retried.status_code == 200
    deliver_due(monitor_app)
    assert len(hook.requests) == 3
    with session_scope(monitor_app) as session:
        delivery = session.get(AlertDelivery, webhook[0]["id"])
        assert delivery is not None and delivery.state == "sent" and delivery.attempts == 3
    assert [b["event"] for b in hook.bodies()] == ["backlink.nofollow"] * 3
    assert len({b["delivery_id"] for b in hook.bodies()}) == 1


def test_in_digest_mode_changes_wait_for_one_daily_message_per_destination(
    tmp_path: Any, database_url: str, web: SimulatedWeb, hook: Webhook
) -> None:
    from server.alerts import make_digest

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ALLOW_PRIVATE_FETCH": True,
            "MONITOR_CONFIRM_SECONDS": 0,
            "RENDER": "never",
            "ALERT_WEBHOOK_URL": hook.url,
            "ALERT_WEBHOOK_SECRET": SECRET,
            "ALERT_DIGEST": True,
        }
    )
    app.instance_path = str(tmp_path)
    host = web.hosts[0]
    ids = [track(app, host.page(f"/html/p{i}", LINKED)) for i in range(2)]
    client = app.test_client()
    for backlink_id in ids:
        client.post(f"/api/v1/backlinks/{backlink_id}/check")
        host.pages.pop(f"/html/p{ids.index(backlink_id)}")
        client.post(f"/api/v1/backlinks/{backlink_id}/check")
        client.post(f"/api/v1/backlinks/{backlink_id}/check")
    assert deliver_due(app) == 0 and hook.requests == []  # nothing sent one by one
    assert make_digest(app) == 2
    assert make_digest(app) == 0  # each alert goes into one digest only
    assert deliver_due(app) == 1
    (body,) = hook.bodies()
    assert body["event"] == "backlink.digest"
    assert sorted(a["kind"] for a in body["alerts"]) == ["lost", "lost"]
    assert hook.valid(SECRET)
    app.extensions["linkinspector.store"].engine.dispose()
