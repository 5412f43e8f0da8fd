"""What the server logs: one JSON line per request, never page HTML, anchor text or queries."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from flask import Flask, request

from server import create_app

SECRET_HTML = (
    "<p>private draft</p><a href='https://partner.example/?aff=SECRET-AFF'>SECRET-ANCHOR</a>"
)


@pytest.fixture
def access_lines(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    # The access logger does not propagate (it writes its own stdout lines), so listen directly.
    logger = logging.getLogger("server.access")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="server.access")
    yield caplog
    logger.removeHandler(caplog.handler)


def make_app(**config: object) -> Flask:
    return create_app({"TESTING": True, **config})


def access_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "server.access"]


def test_access_log_line_has_method_route_status_duration_and_size(
    access_lines: pytest.LogCaptureFixture,
) -> None:
    client = make_app().test_client()
    response = client.post(
        "/api/v1/analyze?token=SECRET-QUERY",
        json={"url": "https://blog.example/post?id=SECRET-URL", "html": SECRET_HTML},
    )
    assert response.status_code == 200
    (record,) = access_records(access_lines)
    assert record["method"] == "POST"
    assert record["route"] == "/api/v1/analyze"
    assert record["status"] == 200
    assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
    assert record["bytes"] == len(response.data)
    assert set(record) == {"ts", "method", "route", "status", "duration_ms", "bytes"}


def test_access_log_holds_no_query_string_html_url_or_anchor_text(
    access_lines: pytest.LogCaptureFixture,
) -> None:
    client = make_app().test_client()
    client.post(
        "/api/v1/analyze?token=SECRET-QUERY",
        json={"url": "https://blog.example/post?id=SECRET-URL", "html": SECRET_HTML},
    )
    client.get("/api/v1/nowhere/SECRET-PATH?q=SECRET-QUERY")
    text = access_lines.text + "".join(r.getMessage() for r in access_lines.records)
    assert "SECRET" not in text
    assert "private draft" not in text
    assert [r["route"] for r in access_records(access_lines)] == ["/api/v1/analyze", None]


def test_refused_requests_are_logged_with_their_status(
    access_lines: pytest.LogCaptureFixture,
) -> None:
    client = make_app(API_TOKEN="t").test_client()
    client.get("/api/v1/health", headers={"Host": "evil.example"})
    client.post("/api/v1/analyze", json={}, headers={"Origin": "https://evil.example"})
    client.post("/api/v1/analyze", json={})
    assert [r["status"] for r in access_records(access_lines)] == [421, 403, 401]


def test_access_log_can_be_turned_off(access_lines: pytest.LogCaptureFixture) -> None:
    make_app(ACCESS_LOG=False).test_client().get("/api/v1/health")
    assert access_records(access_lines) == []


def test_unhandled_error_log_has_the_traceback_but_not_the_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(ACCESS_LOG=False)

    @app.post("/api/v1/boom")
    def boom() -> str:
        raise ValueError(request.get_data(as_text=True))

    response = app.test_client().post("/api/v1/boom", data="page said SECRET-ANCHOR")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert "ValueError" in caplog.text and "boom" in caplog.text
    assert "SECRET" not in caplog.text
