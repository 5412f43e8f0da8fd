"""The dashboard's jobs: start a link check or a bulk qualification from a form, watch it
(progress, auto-refresh while it runs, a warning when no worker runs), filter its results,
export them, cancel; import prospects from a CSV upload; a prospect page shows the broken
outbound links found on it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from simulated_web import SimulatedWeb
from test_dashboard import csrf_of, page, post_form

from server.jobs.runner import run_until_done
from server.store.db import session_scope
from server.store.job_claims import worker_seen

pytestmark = pytest.mark.databases


@pytest.fixture
def local(app: Flask) -> Flask:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    return app


@pytest.fixture
def web() -> Iterator[SimulatedWeb]:
    with SimulatedWeb(2, delay=0.01) as simulated:
        yield simulated


def job_id_of(response: object) -> int:
    location = response.headers["Location"]  # type: ignore[attr-defined]
    found = re.search(r"/jobs/(\d+)$", location)
    assert found, location
    return int(found.group(1))


def test_a_link_check_started_from_the_jobs_page_shows_its_results(
    local: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[0]
    urls = "\n".join([host.url("/ok/1"), host.url("/missing/1"), "", host.url("/moved/1")])
    response = post_form(client, "/jobs/link-check", {"urls": urls}, from_page="/jobs")
    assert response.status_code == 303
    job_id = job_id_of(response)
    running = page(client, f"/jobs/{job_id}")
    assert '<meta http-equiv="refresh" content="3">' in running
    assert "No job worker has been seen" in running
    run_until_done(local, job_id)
    done = page(client, f"/jobs/{job_id}")
    assert 'http-equiv="refresh"' not in done
    assert "3 of 3" in done
    assert "Broken" in done and "Redirect" in done and host.url("/missing/1") in done
    broken = page(client, f"/jobs/{job_id}?result=broken")
    assert host.url("/missing/1") in broken and host.url("/ok/1") not in broken
    exported = client.get(f"/jobs/{job_id}.csv")
    assert exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).splitlines()
    assert lines[0] == "url,result,http_status,final_url,redirects,detail,checked_at"
    assert lines[3].startswith(host.url("/moved/1") + ",redirect,200,")
    listing = page(client, "/jobs")
    assert f"#{job_id} Link check" in listing and "Broken 1" in listing


def test_bad_urls_in_the_form_are_said_plainly(client: FlaskClient) -> None:
    response = post_form(client, "/jobs/link-check", {"urls": "not-a-url"}, from_page="/jobs")
    assert response.status_code == 303
    assert "Not absolute http(s) URLs" in page(client, "/jobs")


def test_a_running_job_can_be_cancelled_from_the_dashboard(
    client: FlaskClient, web: SimulatedWeb
) -> None:
    response = post_form(
        client, "/jobs/link-check", {"urls": web.hosts[0].url("/ok/x")}, from_page="/jobs"
    )
    job_id = job_id_of(response)
    token = csrf_of(page(client, f"/jobs/{job_id}"))
    cancelled = client.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    shown = page(client, f"/jobs/{job_id}")
    assert "cancelled" in shown and "Cancelled" in shown
    assert client.post(f"/jobs/{job_id}/cancel").status_code == 400  # no CSRF token


def test_a_live_worker_is_shown_instead_of_the_warning(
    local: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    post_form(client, "/jobs/link-check", {"urls": web.hosts[0].url("/ok/w")}, from_page="/jobs")
    with session_scope(local) as session:
        worker_seen(session, "box:1:abc", "box", 1, 4)
    shown = page(client, "/jobs")
    assert "1 worker running (box)" in shown and "No job worker" not in shown


def test_urls_pasted_on_the_prospects_page_are_qualified_in_the_background(
    local: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[1]
    blog = host.page("/html/blog", '<title>Blog</title><a href="https://rival.com/x">r</a>')
    response = post_form(
        client,
        "/prospects/qualify",
        {"urls": f"{blog}\n{host.url('/missing/p')}", "competitors": "rival.com", "tags": "seo"},
    )
    assert response.status_code == 303
    job_id = job_id_of(response)
    run_until_done(local, job_id)
    shown = page(client, f"/jobs/{job_id}")
    assert "Saved" in shown and "Failed" in shown and "Best prospect" in shown
    listed = page(client, "/")
    assert host.address in listed
    assert "rival.com" in page(client, "/")  # the competitors are remembered for the next list


def test_a_bad_competitor_in_the_qualify_form_is_said_plainly(client: FlaskClient) -> None:
    post_form(
        client,
        "/prospects/qualify",
        {"urls": "https://a.example/", "competitors": "not a site!"},
    )
    assert "not a site!" in page(client, "/")


def test_a_csv_uploaded_on_the_prospects_page_is_imported(client: FlaskClient) -> None:
    token = csrf_of(page(client, "/"))
    upload = b"domain,tags\nexample.com,seo\nhttps://www.blog.org/post,\nnot a domain,\n"
    response = client.post(
        "/prospects/import",
        data={"csrf_token": token, "file": (io.BytesIO(upload), "prospects.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    shown = page(client, "/")
    assert "Imported: 2 new, 0 already there." in shown
    assert "Row 4 (not a domain)" in shown
    assert "example.com" in shown and "blog.org" in shown


def test_a_prospect_page_shows_the_broken_outbound_links_found_on_it_in_the_dashboard_and_api(
    local: Flask, client: FlaskClient, web: SimulatedWeb
) -> None:
    host = web.hosts[0]
    source = "https://blog.example.com/resources"
    saved = client.post("/api/v1/prospects", json={"url": source, "html": "<title>R</title>"})
    prospect_id = saved.get_json()["id"]
    urls = [host.url("/missing/a"), host.url("/gone/b"), host.url("/ok/c")]
    job = client.post("/api/v1/link-checks", json={"urls": urls, "source_url": source})
    run_until_done(local, job.get_json()["id"])
    shown = page(client, f"/prospects/{prospect_id}")
    assert "2 broken outbound links: broken-link opportunity" in shown
    (saved_page,) = client.get(f"/api/v1/prospects/{prospect_id}").get_json()["pages"]
    assert saved_page["broken_outbound"] == {
        "job_id": job.get_json()["id"],
        "checked": 3,
        "broken": 2,
        "checked_at": saved_page["broken_outbound"]["checked_at"],
    }
    assert saved_page["broken_outbound"]["checked_at"].endswith("Z")
