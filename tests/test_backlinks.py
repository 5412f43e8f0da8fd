"""Backlinks API: track a link, check it by fetching the source page on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.monitor import private_fetch_allowed

pytestmark = pytest.mark.databases


@pytest.fixture
def fetching_app(app: Flask) -> Flask:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    return app


@pytest.fixture
def fetching_client(fetching_app: Flask) -> FlaskClient:
    return fetching_app.test_client()


def track(client: FlaskClient, source_url: str, target: str = "mysite.com") -> Any:
    response = client.post("/api/v1/backlinks", json={"source_url": source_url, "target": target})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def check(client: FlaskClient, backlink_id: int) -> Any:
    response = client.post(f"/api/v1/backlinks/{backlink_id}/check")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_tracking_a_backlink_twice_keeps_one(client: FlaskClient) -> None:
    first = client.post(
        "/api/v1/backlinks", json={"source_url": "https://blog.com/post", "target": "mysite.com"}
    )
    assert first.status_code == 201
    body = first.get_json()
    assert body["created"] is True
    assert body["source_domain"] == "blog.com"
    assert body["last_result"] is None
    second = track(client, "https://blog.com/post")
    assert second["id"] == body["id"]
    assert second["created"] is False
    same = track(client, "https://BLOG.com/post", " MySite.com ")
    assert same["id"] == body["id"]
    other = track(client, "https://blog.com/post", "https://mysite.com/blog/")
    assert other["id"] != body["id"]
    listing = client.get("/api/v1/backlinks").get_json()
    assert listing["total"] == 2


def test_tracking_rejects_bad_source_or_target(client: FlaskClient) -> None:
    for payload, code in [
        ({"source_url": "javascript:alert(1)", "target": "mysite.com"}, "invalid_source_url"),
        ({"source_url": "https://blog.com/", "target": "not a site"}, "invalid_target"),
        ({"source_url": "https://blog.com/", "target": "ftp://mysite.com/"}, "invalid_target"),
        ({"source_url": "https://blog.com/", "target": ""}, "invalid_target"),
        ({"source_url": "https://blog.com/"}, "invalid_target"),
        ({"target": "mysite.com"}, "invalid_source_url"),
    ]:
        response = client.post("/api/v1/backlinks", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json()["error"]["code"] == code
    assert client.get("/api/v1/backlinks").get_json()["total"] == 0


def test_a_csv_row_whose_interval_is_not_ascii_digits_is_a_row_error_not_a_500(
    client: FlaskClient,
) -> None:
    # "²" is a digit to str.isdigit but not to int().
    csv = "source_url,target,interval_hours\nhttps://a.example/p,mysite.com,²\n"
    response = client.post("/api/v1/backlinks/import", data=csv, content_type="text/csv")
    assert response.status_code == 200
    report = response.get_json()
    assert report["created"] == []
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "interval_hours")]


def test_unknown_backlink_is_a_json_404(client: FlaskClient) -> None:
    assert client.get("/api/v1/backlinks/5").status_code == 404
    assert client.delete("/api/v1/backlinks/5").status_code == 404
    response = client.post("/api/v1/backlinks/5/check")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_followed_link_is_live_followed(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", '<p>Thanks to <a href="https://mysite.com/x">my site</a></p>')
    body = check(fetching_client, track(fetching_client, url)["id"])
    assert body["last_result"] == "live-followed"
    assert body["last_http_status"] == 200
    result = body["check"]
    assert result["result"] == "live-followed"
    assert result["reasons"] == []
    assert result["links"][0]["href"] == "https://mysite.com/x"
    assert result["links"][0]["text"] == "my site"
    assert result["final_url"] == url
    assert result["changed"] is False


@pytest.mark.parametrize(
    ("html", "headers", "reason"),
    [
        ('<a rel="nofollow" href="https://mysite.com/">me</a>', [], "rel=nofollow"),
        ('<a rel="sponsored ugc" href="https://mysite.com/">me</a>', [], "rel=sponsored"),
        (
            '<meta name="robots" content="index, nofollow"><a href="https://mysite.com/">me</a>',
            [],
            "meta robots: nofollow",
        ),
        (
            '<a href="https://mysite.com/">me</a>',
            [("X-Robots-Tag", "nofollow")],
            "X-Robots-Tag: nofollow",
        ),
    ],
)
def test_a_link_not_followed_is_live_nofollow_with_the_reason(
    fetching_client: FlaskClient,
    page_server: PageServer,
    html: str,
    headers: list[tuple[str, str]],
    reason: str,
) -> None:
    url = page_server.page("/post", html, headers=headers)
    body = check(fetching_client, track(fetching_client, url)["id"])
    assert body["last_result"] == "live-nofollow"
    assert reason in body["check"]["reasons"]


def test_a_url_prefix_target_only_matches_under_the_prefix(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", '<a href="https://mysite.com/shop/">shop</a>')
    backlink = track(fetching_client, url, "https://mysite.com/blog/")
    assert check(fetching_client, backlink["id"])["last_result"] == "missing"


def test_a_page_without_the_link_is_missing(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", '<a href="https://elsewhere.com/">x</a>')
    body = check(fetching_client, track(fetching_client, url)["id"])
    assert body["last_result"] == "missing"
    assert body["check"]["links"] == []


def test_a_404_source_has_lost_its_link_and_a_500_is_an_error_never_missing(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    body = check(fetching_client, track(fetching_client, page_server.url("/gone"))["id"])
    assert body["last_result"] == "missing"
    assert body["check"]["http_status"] == 404
    assert body["check"]["error"]["code"] == "http_status"
    assert body["last_http_status"] == 404
    failing = page_server.page("/failing", "oops", status=503)
    body = check(fetching_client, track(fetching_client, failing)["id"])
    assert body["last_result"] == "error"
    assert body["check"]["http_status"] == 503


def test_the_default_config_refuses_loopback_without_a_request(
    client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", '<a href="https://mysite.com/">me</a>')
    body = check(client, track(client, url)["id"])
    assert body["last_result"] == "error"
    assert body["check"]["error"]["code"] == "blocked_address"
    assert page_server.hits == []


def test_every_check_is_history_and_changes_are_marked(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", '<a href="https://mysite.com/">me</a>')
    backlink_id = track(fetching_client, url)["id"]
    check(fetching_client, backlink_id)
    check(fetching_client, backlink_id)
    page_server.page("/post", '<a rel="nofollow" href="https://mysite.com/">me</a>')
    check(fetching_client, backlink_id)
    page_server.page("/post", "<p>link removed</p>")
    body = check(fetching_client, backlink_id)
    history = body["history"]
    assert [h["result"] for h in history] == [
        "missing",
        "live-nofollow",
        "live-followed",
        "live-followed",
    ]
    # Becoming nofollow was bad news held for a re-check; the re-check found the link
    # gone, worse still: that is the change, from the last confirmed state.
    assert [h["changed"] for h in history] == [True, False, False, False]
    assert [h["confirmation"] for h in history] == [None, "confirmed", None, None]
    assert history[0]["previous_result"] == "live-followed"
    assert body["last_result"] == "missing"
    assert body["last_changed_at"] == history[0]["checked_at"]
    shown = fetching_client.get(f"/api/v1/backlinks/{backlink_id}").get_json()
    assert shown["history"] == history


def test_list_filters_on_last_result(fetching_client: FlaskClient, page_server: PageServer) -> None:
    live = track(fetching_client, page_server.page("/a", '<a href="https://mysite.com/">m</a>'))
    track(fetching_client, page_server.page("/b", "<p>none</p>"))
    check(fetching_client, live["id"])
    listing = fetching_client.get("/api/v1/backlinks?result=live-followed").get_json()
    assert [b["id"] for b in listing["items"]] == [live["id"]]
    unchecked = fetching_client.get("/api/v1/backlinks?result=unchecked").get_json()
    assert unchecked["total"] == 1
    assert fetching_client.get("/api/v1/backlinks?result=gone").status_code == 400
    assert fetching_client.get("/api/v1/backlinks?per_page=0").status_code == 400


def test_deleting_a_backlink_deletes_its_history(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    backlink_id = track(fetching_client, page_server.page("/a", "<p>x</p>"))["id"]
    check(fetching_client, backlink_id)
    assert fetching_client.delete(f"/api/v1/backlinks/{backlink_id}").status_code == 204
    assert fetching_client.get(f"/api/v1/backlinks/{backlink_id}").status_code == 404
    again = track(fetching_client, page_server.url("/a"))
    assert fetching_client.get(f"/api/v1/backlinks/{again['id']}").get_json()["history"] == []


def test_allow_private_fetch_defaults_to_off() -> None:
    assert create_app({"TESTING": True}).config["ALLOW_PRIVATE_FETCH"] is False


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        (True, True),
        ("true", True),
        ("1", True),
        (1, True),
        ("no", False),
        ("false", False),
        (False, False),
        ("", False),
        (None, False),
        ("off", False),
    ],
)
def test_allow_private_fetch_is_read_strictly(value: object, allowed: bool) -> None:
    assert private_fetch_allowed({"ALLOW_PRIVATE_FETCH": value}) is allowed


def test_a_fetcher_crash_is_recorded_as_an_error(
    app: Flask, page_server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(url: str, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("server.fetch.fetch_page", broken)
    client = app.test_client()
    body = check(client, track(client, page_server.url("/x"))["id"])
    assert body["last_result"] == "error"
    assert body["check"]["error"]["code"] == "fetch_failed"


def test_a_comma_joined_nofollow_backlink_is_recorded_as_nofollow(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page(
        "/post", '<a href="https://mysite.com/" rel="nofollow,sponsored">my site</a>'
    )
    body = check(fetching_client, track(fetching_client, url)["id"])
    assert body["last_result"] == "live-nofollow"
    assert body["check"]["reasons"] == ["rel=nofollow", "rel=sponsored"]


def test_a_followed_backlink_on_a_noindex_page_is_live_but_at_risk(
    fetching_client: FlaskClient, page_server: PageServer
) -> None:
    url = page_server.page("/post", '<a href="https://mysite.com/">my site</a>')
    backlink = track(fetching_client, url)
    first = check(fetching_client, backlink["id"])
    assert first["last_result"] == "live-followed" and first["last_risks"] == []
    page_server.page(
        "/post",
        '<a href="https://mysite.com/">my site</a>',
        headers=[("X-Robots-Tag", "noindex")],
    )
    looked = check(fetching_client, backlink["id"])
    assert looked["check"]["confirmation"] == "pending" and looked["last_risks"] == []
    second = check(fetching_client, backlink["id"])  # the re-check confirms it
    assert second["last_result"] == "live-followed"
    assert second["last_risks"] == ["noindex"]
    assert second["check"]["risks"] == ["noindex"]
    assert second["check"]["changed"] is True
    assert second["check"]["links"][0]["risks"] == ["noindex"]
    page = fetching_client.get("/backlinks").get_data(as_text=True)
    assert "at risk: noindex page" in page


def test_a_followed_backlink_behind_a_robots_txt_disallow_is_live_but_at_risk(
    fetching_app: Flask, page_server: PageServer
) -> None:
    fetching_app.config["ROBOTS_TXT"] = True
    client = fetching_app.test_client()
    url = page_server.page("/private/post", '<a href="https://mysite.com/">my site</a>')
    page_server.page("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    body = check(client, track(client, url)["id"])
    assert body["last_result"] == "live-followed"
    assert body["last_risks"] == ["robots_txt_disallowed"]
