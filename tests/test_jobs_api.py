"""The jobs API and the job runner, in this process, on SQLite and PostgreSQL: a job is
created with 202 and a Location, worked on in laps (as a worker would), read back with its
results, cancelled; results are cached; items are done once even with laps racing; a lease
that runs out is taken over; bulk qualification saves prospects or says why not.
Real worker processes and Redis: tests/test_job_workers.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from simulated_web import SimulatedWeb
from sqlalchemy import select, update

from server.jobs.queue import tidy
from server.jobs.runner import run_lap, run_until_done
from server.store.db import session_scope
from server.store.job_claims import MAX_ATTEMPTS, claim_items
from server.store.job_models import Job, JobItem
from server.store.models import utcnow

pytestmark = pytest.mark.databases


@pytest.fixture
def jobs_app(app: Flask) -> Flask:
    app.config.update(ALLOW_PRIVATE_FETCH=True, JOB_LEASE_SECONDS=2, JOB_LAP_SECONDS=5)
    app.extensions.pop("linkinspector.job_settings", None)
    return app


@pytest.fixture
def web() -> Iterator[SimulatedWeb]:
    with SimulatedWeb(3, delay=0.02, refused=1) as simulated:
        yield simulated


def start(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 202, response.get_json()
    job: dict[str, Any] = response.get_json()
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    return job


def finished(app: Flask, client: FlaskClient, job_id: int, query: str = "") -> dict[str, Any]:
    run_until_done(app, job_id)
    body: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}{query}").get_json()
    return body


def test_a_link_check_job_reports_every_url_in_request_order(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[0]
    urls = [
        host.url("/ok/1"),
        host.url("/moved/1"),
        host.url("/missing/1"),
        host.url("/gone/1"),
        host.url("/error/1"),
        host.url("/li/1"),
        host.url("/to-logout/1"),
        web.refused_url(0),
        host.url("/ok/1#fragment"),  # the same page: checked once
    ]
    job = start(client, "/api/v1/link-checks", {"urls": urls})
    assert (job["kind"], job["status"], job["total"], job["done"]) == ("link-check", "queued", 8, 0)
    assert job["results"] == [] and job["finished_at"] is None

    body = finished(jobs_app, client, job["id"])
    assert (body["status"], body["done"]) == ("done", 8)
    assert body["finished_at"] is not None and body["started_at"] is not None
    assert [(r["index"], r["result"], r["http_status"]) for r in body["results"]] == [
        (0, "ok", 200),
        (1, "redirect", 200),
        (2, "broken", 404),
        (3, "broken", 410),
        (4, "server_error", 500),
        (5, "blocked", 999),
        (6, "skipped", None),
        (7, "unreachable", None),
    ]
    assert body["counts"] == {
        "ok": 1,
        "redirect": 1,
        "broken": 2,
        "server_error": 1,
        "blocked": 1,
        "skipped": 1,
        "unreachable": 1,
    }
    moved = body["results"][1]
    assert moved["redirects"] == [{"url": host.url("/moved/1"), "status": 301}]
    assert moved["final_url"] == host.url("/ok/1")
    assert moved["checked_at"].endswith("Z") and moved["from_cache"] is False
    assert host.times("/logout") == 0


def test_a_link_to_a_port_browsers_refuse_is_reported_refused_not_a_rejected_job(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    ok = web.hosts[0].url("/ok/1")
    job = start(client, "/api/v1/link-checks", {"urls": [ok, "http://127.0.0.1:6667/irc"]})
    body = finished(jobs_app, client, job["id"])
    assert [(r["result"], r["http_status"]) for r in body["results"]] == [
        ("ok", 200),
        ("refused", None),
    ]


def test_results_can_be_filtered_and_paged(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[1]
    urls = [host.url(f"/missing/{i}") for i in range(3)] + [host.url(f"/ok/{i}") for i in range(3)]
    job = start(client, "/api/v1/link-checks", {"urls": urls})
    run_until_done(jobs_app, job["id"])
    broken = client.get(f"/api/v1/jobs/{job['id']}?result=broken").get_json()
    assert [r["index"] for r in broken["results"]] == [0, 1, 2]
    assert broken["results_total"] == 3
    page = client.get(f"/api/v1/jobs/{job['id']}?offset=2&limit=2").get_json()
    assert [r["index"] for r in page["results"]] == [2, 3] and page["results_total"] == 6
    bare = client.get(f"/api/v1/jobs/{job['id']}?results=false").get_json()
    assert "results" not in bare and bare["done"] == 6


def test_a_second_check_of_the_same_urls_comes_from_the_cache(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[2]
    urls = [host.url("/ok/cached"), host.url("/missing/cached")]
    first = finished(jobs_app, client, start(client, "/api/v1/link-checks", {"urls": urls})["id"])
    asked = host.times("/ok/cached")
    second = finished(jobs_app, client, start(client, "/api/v1/link-checks", {"urls": urls})["id"])
    assert [r["from_cache"] for r in second["results"]] == [True, True]
    assert [r["result"] for r in second["results"]] == [r["result"] for r in first["results"]]
    assert [r["checked_at"] for r in second["results"]] == [
        r["checked_at"] for r in first["results"]
    ]
    assert host.times("/ok/cached") == asked
    fresh = start(client, "/api/v1/link-checks", {"urls": urls, "refresh": True})
    again = finished(jobs_app, client, fresh["id"])
    assert [r["from_cache"] for r in again["results"]] == [False, False]
    assert host.times("/ok/cached") == asked + 1


def test_the_cache_can_be_turned_off(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    jobs_app.config["LINK_CHECK_CACHE_SECONDS"] = 0
    jobs_app.extensions.pop("linkinspector.job_settings", None)
    url = web.hosts[0].url("/ok/uncached")
    for _ in range(2):
        finished(jobs_app, client, start(client, "/api/v1/link-checks", {"urls": [url]})["id"])
    assert web.hosts[0].times("/ok/uncached") == 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_urls"),
        ({"urls": "https://example.com/"}, "invalid_urls"),
        ({"urls": []}, "invalid_urls"),
        ({"urls": ["ftp://example.com/file"]}, "invalid_urls"),
        ({"urls": ["/relative"]}, "invalid_urls"),
        ({"urls": [42]}, "invalid_urls"),
        ({"urls": ["https://example.com/"], "refresh": "yes"}, "invalid_refresh"),
        ({"urls": ["https://example.com/"], "source_url": "nope"}, "invalid_source_url"),
    ],
)
def test_a_bad_link_check_request_is_a_clear_400(
    client: FlaskClient, body: dict[str, Any], code: str
) -> None:
    response = client.post("/api/v1/link-checks", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_a_bad_url_is_named_with_its_position(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/link-checks", json={"urls": ["https://ok.example/", "javascript:alert(1)"]}
    )
    assert response.status_code == 400
    assert "#1 javascript:alert(1)" in response.get_json()["error"]["message"]


def test_more_urls_than_the_limit_are_refused(jobs_app: Flask, client: FlaskClient) -> None:
    jobs_app.config["MAX_JOB_URLS"] = 3
    jobs_app.extensions.pop("linkinspector.job_settings", None)
    urls = [f"https://example.com/{i}" for i in range(4)]
    response = client.post("/api/v1/link-checks", json={"urls": urls})
    assert response.status_code == 400
    assert "At most 3 URLs" in response.get_json()["error"]["message"]


def test_an_unknown_job_is_404_and_bad_query_values_are_400(client: FlaskClient) -> None:
    assert client.get("/api/v1/jobs/999").status_code == 404
    assert client.delete("/api/v1/jobs/999").status_code == 404
    assert client.get("/api/v1/jobs?status=sleeping").status_code == 400
    assert client.get("/api/v1/jobs?kind=mining").status_code == 400


def test_cancelling_stops_a_job_and_a_finished_job_cannot_be_cancelled(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    urls = [web.hosts[0].url(f"/ok/c{i}") for i in range(5)]
    job = start(client, "/api/v1/link-checks", {"urls": urls})
    cancelled = client.delete(f"/api/v1/jobs/{job['id']}")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    assert run_lap(jobs_app, job["id"]).next == "none"
    assert web.hosts[0].times("/ok/c0") == 0
    assert client.delete(f"/api/v1/jobs/{job['id']}").status_code == 200  # idempotent

    done = start(client, "/api/v1/link-checks", {"urls": urls[:1]})
    run_until_done(jobs_app, done["id"])
    refused = client.delete(f"/api/v1/jobs/{done['id']}")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "job_finished"


def test_jobs_are_listed_newest_first(jobs_app: Flask, client: FlaskClient) -> None:
    first = start(client, "/api/v1/link-checks", {"urls": ["https://a.example/"]})
    second = start(
        client, "/api/v1/prospects/bulk", {"urls": ["https://b.example/"], "tags": ["seo"]}
    )
    listed = client.get("/api/v1/jobs").get_json()
    assert [j["id"] for j in listed["items"]] == [second["id"], first["id"]]
    only = client.get("/api/v1/jobs?kind=prospect-bulk").get_json()
    assert [j["id"] for j in only["items"]] == [second["id"]]
    assert "results" not in only["items"][0]


def test_racing_laps_do_every_item_exactly_once(jobs_app: Flask, client: FlaskClient) -> None:
    with SimulatedWeb(4, delay=0.03) as web:
        urls = [host.url(f"/ok/{i}") for host in web.hosts for i in range(15)]
        job = start(client, "/api/v1/link-checks", {"urls": urls})
        jobs_app.config["JOB_LAP_SECONDS"] = 1
        jobs_app.extensions.pop("linkinspector.job_settings", None)
        threads = [
            threading.Thread(target=run_until_done, args=(jobs_app, job["id"])) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        body = client.get(f"/api/v1/jobs/{job['id']}").get_json()
        assert (body["status"], body["done"]) == ("done", 60)
        assert sorted(r["index"] for r in body["results"]) == list(range(60))
        assert all(host.times(f"/ok/{i}", "HEAD") == 1 for host in web.hosts for i in range(15))
        assert web.peak() <= 2


def test_items_of_a_dead_worker_are_taken_over_when_their_lease_runs_out(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    urls = [web.hosts[0].url(f"/ok/dead{i}") for i in range(4)]
    job = start(client, "/api/v1/link-checks", {"urls": urls})
    with session_scope(jobs_app) as session:
        taken = claim_items(session, job["id"], "dead-worker", 2, timedelta(seconds=1))
    assert len(taken.items) == 2 and not taken.exhausted
    body = finished(jobs_app, client, job["id"])  # waits for the lease, then takes them over
    assert (body["status"], body["done"]) == ("done", 4)
    with session_scope(jobs_app) as session:
        owners = session.scalars(
            select(JobItem.claimed_by).where(JobItem.job_id == job["id"])
        ).all()
    assert "dead-worker" not in owners


def test_an_item_its_workers_keep_dying_on_is_given_up(
    jobs_app: Flask, client: FlaskClient
) -> None:
    job = start(client, "/api/v1/link-checks", {"urls": ["https://poison.example/"]})
    with session_scope(jobs_app) as session:
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job["id"])
            .values(
                state="claimed",
                claimed_by="dead",
                attempts=MAX_ATTEMPTS,
                lease_until=utcnow() - timedelta(seconds=1),
            )
        )
    body = finished(jobs_app, client, job["id"])
    assert body["status"] == "done"
    (result,) = body["results"]
    assert result["result"] == "error"
    assert "given up" in result["error"]["message"]


BLOG = """<title>{title}</title>
<a href="https://competitor.com/guide">A guide</a>
<a href="/write-for-us">Write for us</a>
<a href="mailto:editor@blog.example">Email</a>
"""


def test_bulk_qualification_saves_each_page_as_a_prospect_or_says_why_not(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[0]
    good = host.page("/html/guest-posts", BLOG.format(title="Guest posts"))
    job = start(
        client,
        "/api/v1/prospects/bulk",
        {
            "urls": [good, host.url("/missing/page"), host.url("/logout"), web.refused_url(0)],
            "competitors": ["competitor.com"],
            "tags": ["Gardening"],
            "notes": "from a search",
        },
    )
    assert job["kind"] == "prospect-bulk"
    assert job["params"]["tags"] == ["gardening"]
    body = finished(jobs_app, client, job["id"])
    assert body["status"] == "done" and body["counts"] == {"saved": 1, "failed": 3}
    saved, missing, action, refused = body["results"]
    assert saved["result"] == "saved" and saved["verdict"] == "best"
    assert saved["domain"] == host.address and saved["created"] is True
    assert saved["title"] == "Guest posts"
    assert missing["error"]["code"] == "http_status" and missing["http_status"] == 404
    assert action["error"]["code"] == "action_url"
    assert refused["error"]["code"] == "connect"
    prospect = client.get(f"/api/v1/prospects/{saved['prospect_id']}").get_json()
    assert prospect["tags"] == ["gardening"] and prospect["notes"] == "from a search"
    assert prospect["contact"]["emails"] == ["editor@blog.example"]
    (competitor,) = prospect["competitors"]
    assert (competitor["site"], competitor["followed"], competitor["pages"]) == (
        "competitor.com",
        True,
        1,
    )
    assert host.times("/logout") == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"urls": ["https://a.example/"], "sites": ["not a site!"]}, "invalid_site"),
        ({"urls": ["https://a.example/"], "sites": "a.com"}, "invalid_sites"),
        ({"urls": ["https://a.example/"], "competitors": [3]}, "invalid_competitors"),
        ({"urls": ["https://a.example/"], "tags": ["x" * 100]}, "invalid_tags"),
        ({"urls": ["https://a.example/"], "notes": 5}, "invalid_notes"),
        ({"urls": ["mailto:a@b.c"]}, "invalid_urls"),
    ],
)
def test_a_bad_bulk_request_is_a_clear_400(
    client: FlaskClient, body: dict[str, Any], code: str
) -> None:
    response = client.post("/api/v1/prospects/bulk", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_finished_jobs_are_deleted_after_the_retention_but_their_prospects_stay(
    jobs_app: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    page = web.hosts[0].page("/html/kept", "<title>Kept</title>")
    job = start(client, "/api/v1/prospects/bulk", {"urls": [page]})
    body = finished(jobs_app, client, job["id"])
    prospect_id = body["results"][0]["prospect_id"]
    running = start(client, "/api/v1/link-checks", {"urls": ["https://example.com/"]})
    with session_scope(jobs_app) as session:
        session.execute(
            update(Job).where(Job.id == job["id"]).values(finished_at=utcnow() - timedelta(days=31))
        )
    tidy(jobs_app)
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert client.get(f"/api/v1/jobs/{running['id']}").status_code == 200
    assert client.get(f"/api/v1/prospects/{prospect_id}").status_code == 200
