"""The jobs API answers what its OpenAPI document says: the 202 with its Location, a job
while queued, running and done (both kinds, every link-check result class), lists, cancel,
and each documented error; the documented enums are the server's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_document import (
    check,
    fetch_document,
    is_valid,
    request_schema,
    response_object,
    validate,
)
from simulated_web import SimulatedWeb

from server.jobs.runner import run_until_done
from server.linkcheck import RESULTS
from server.store.job_models import JOB_STATUSES

pytestmark = pytest.mark.databases

LINK_CHECKS = "/api/v1/link-checks"
BULK = "/api/v1/prospects/bulk"
JOBS = "/api/v1/jobs"
JOB = "/api/v1/jobs/{job_id}"


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    return fetch_document(client)


@pytest.fixture
def web() -> Iterator[SimulatedWeb]:
    with SimulatedWeb(2, delay=0.01, refused=1) as simulated:
        yield simulated


@pytest.fixture
def local(app: Flask) -> Flask:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    return app


def start(client: FlaskClient, document: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    validate(document, request_schema(document, path, "post", "application/json"), body)
    response = client.post(path, json=body)
    job = check(document, response, path, "post", 202)
    headers = response_object(document, path, "post", 202)["headers"]
    validate(document, headers["Location"]["schema"], response.headers["Location"])
    assert client.get(response.headers["Location"]).status_code == 200
    return job


def show(client: FlaskClient, document: dict[str, Any], job_id: int, query: str = "") -> Any:
    return check(document, client.get(f"/api/v1/jobs/{job_id}{query}"), JOB, "get", 200)


def test_a_link_check_job_matches_the_document_from_queued_to_done(
    local: Flask, client: FlaskClient, document: dict[str, Any], web: SimulatedWeb
) -> None:
    host = web.hosts[0]
    paths = ["/ok/a", "/moved/a", "/missing/a", "/error/a", "/li/a", "/busy-long/a", "/logout"]
    urls = [host.url(p) for p in paths] + [web.refused_url(0), "https://10.0.0.1/"]
    local.config["ALLOW_PRIVATE_FETCH"] = True
    job = start(client, document, LINK_CHECKS, {"urls": urls, "source_url": host.url("/")})
    assert job["status"] == "queued"
    run_until_done(local, job["id"])
    done = show(client, document, job["id"])
    assert done["status"] == "done"
    assert {r["result"] for r in done["results"]} == {
        "ok",
        "redirect",
        "broken",
        "server_error",
        "blocked",
        "skipped",
        "unreachable",
    }
    show(client, document, job["id"], "?results=false")
    show(client, document, job["id"], "?result=broken&offset=0&limit=1")


def test_a_refused_address_and_a_timeout_match_the_document(
    local: Flask, client: FlaskClient, document: dict[str, Any], web: SimulatedWeb
) -> None:
    local.config.update(ALLOW_PRIVATE_FETCH=False)
    job = start(client, document, LINK_CHECKS, {"urls": [web.hosts[1].url("/ok/x")]})
    run_until_done(local, job["id"])
    (result,) = show(client, document, job["id"])["results"]
    assert result["result"] == "refused"


def test_a_bulk_job_matches_the_document(
    local: Flask, client: FlaskClient, document: dict[str, Any], web: SimulatedWeb
) -> None:
    page = web.hosts[0].page("/html/p", '<title>T</title><a href="https://rival.com/">r</a>')
    job = start(
        client,
        document,
        BULK,
        {
            "urls": [page, web.hosts[0].url("/missing/x")],
            "competitors": ["rival.com"],
            "sites": ["mysite.com"],
            "tags": ["seo"],
            "notes": "n",
        },
    )
    run_until_done(local, job["id"])
    done = show(client, document, job["id"])
    assert [r["result"] for r in done["results"]] == ["saved", "failed"]


def test_lists_and_cancel_match_the_document(client: FlaskClient, document: dict[str, Any]) -> None:
    job = start(client, document, LINK_CHECKS, {"urls": ["https://example.com/"]})
    listed = check(document, client.get(f"{JOBS}?status=queued&per_page=5"), JOBS, "get", 200)
    assert [j["id"] for j in listed["items"]] == [job["id"]]
    cancelled = check(document, client.delete(f"{JOBS}/{job['id']}"), JOB, "delete", 200)
    assert cancelled["status"] == "cancelled"


def test_errors_match_the_document(
    local: Flask, client: FlaskClient, document: dict[str, Any]
) -> None:
    cases = [
        (client.post(LINK_CHECKS, json={"urls": ["nope"]}), LINK_CHECKS, "post", 400),
        (client.post(LINK_CHECKS, data="x", content_type="text/plain"), LINK_CHECKS, "post", 415),
        (
            client.post(BULK, json={"urls": ["https://a.example/"], "tags": ["x" * 99]}),
            BULK,
            "post",
            400,
        ),
        (client.get(f"{JOBS}?kind=x"), JOBS, "get", 400),
        (client.get(f"{JOBS}?per_page=0"), JOBS, "get", 400),
        (client.get("/api/v1/jobs/77"), JOB, "get", 404),
        (client.get("/api/v1/jobs/77"), JOB, "get", 404),
        (client.delete("/api/v1/jobs/77"), JOB, "delete", 404),
    ]
    job = start(client, document, LINK_CHECKS, {"urls": ["https://example.com/"]})
    cases.append((client.get(f"{JOBS}/{job['id']}?results=maybe"), JOB, "get", 400))
    cases.append((client.get(f"{JOBS}/{job['id']}?limit=0"), JOB, "get", 400))
    local.config["ALLOW_PRIVATE_FETCH"] = False
    run_until_done(local, job["id"])  # example.com is not resolvable here: unreachable
    cases.append((client.delete(f"{JOBS}/{job['id']}"), JOB, "delete", 409))
    for response, path, method, status in cases:
        check(document, response, path, method, status)


def test_the_documented_enums_are_the_servers(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["LinkCheckResultClass"]["enum"] == list(RESULTS)
    assert schemas["JobStatus"]["enum"] == list(JOB_STATUSES)
    assert schemas["JobKind"]["enum"] == ["link-check", "prospect-bulk", "backlink-check"]
    job = {
        "id": 1,
        "kind": "link-check",
        "status": "done",
        "total": 0,
        "done": 0,
        "created_at": "2026-01-01T00:00:00Z",
        "started_at": None,
        "finished_at": None,
        "counts": {},
        "error": None,
        "source_url": None,
        "params": {},
        "surprise": 1,
    }
    assert not is_valid(document, {"$ref": "#/components/schemas/Job"}, job)
