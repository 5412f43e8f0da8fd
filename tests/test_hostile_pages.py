"""Hostile pages: each one gets a 200 with what can be found, or the right 4xx JSON (422 when
the parser would work past the analysis budget), in bounded time, never a 500 or a traceback."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.analysis import analyze

PAGE = "https://blog.example.com/post"
MB = 1024 * 1024
# Half of gunicorn's default 30 s timeout. CPU seconds, so a busy machine does not fail it.
TIME_BUDGET = 15.0
# Wall-clock seconds for an answer the analysis budget cuts short (3 s of CPU by default).
TOO_COMPLEX_SECONDS = 15.0


@pytest.fixture(scope="module")
def hostile_app() -> Iterator[Flask]:
    yield create_app({"TESTING": True, "RATELIMIT_ENABLED": False})


@pytest.fixture(scope="module")
def hostile_client(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """The call's result and the CPU seconds it took."""
    started = time.process_time()
    result = call()
    return result, time.process_time() - started


def post_raw(client: FlaskClient, body: bytes, content_type: str = "application/json") -> Any:
    response, elapsed = timed(
        lambda: client.post("/api/v1/analyze", data=body, content_type=content_type)
    )
    assert elapsed < TIME_BUDGET, f"took {elapsed:.1f}s"
    assert response.status_code != 500
    assert response.is_json, response.data[:200]
    return response


def post_page(client: FlaskClient, html: str, **extra: Any) -> Any:
    body = json.dumps({"url": PAGE, "html": html, **extra}).encode()
    return post_raw(client, body)


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_9mb_of_nested_divs_is_a_prompt_422(hostile_client: FlaskClient) -> None:
    # Each <div> makes the parser look through the whole stack of open elements: quadratic.
    html = '<a href="/top">top</a>' + "<div>" * (9 * MB // 5) + '<a href="/deep">deep</a>'
    started = time.monotonic()
    response = post_page(hostile_client, html)
    assert time.monotonic() - started < TOO_COMPLEX_SECONDS
    assert_error(response, 422, "page_too_complex")
    assert "CPU time" in response.get_json()["error"]["message"]


def test_50mb_of_nested_divs_through_the_api_is_a_413() -> None:
    client = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}).test_client()
    html = "<div>" * (50 * MB // 5)
    response = post_page(client, html)
    assert_error(response, 413, "request_entity_too_large")


def test_10k_deep_nesting_keeps_the_link_and_its_outermost_region(
    hostile_client: FlaskClient,
) -> None:
    html = "<footer>" + "<div><section>" * 5000 + '<a href="https://other.org/">x</a>'
    response = post_page(hostile_client, html)
    assert response.status_code == 200
    (link,) = response.get_json()["links"]
    assert link["href"] == "https://other.org/"
    assert link["position"] == "footer"


def test_formatting_tags_reopened_by_every_paragraph_are_a_422_without_touching_the_worker(
    hostile_client: FlaskClient,
) -> None:
    # 250 KB that makes the parser build hundreds of millions of elements: the analysis
    # process hits its memory cap; this process's own memory does not move.
    html = '<a href="/top">top</a>' + "".join(f"<b id={i}><p>x" for i in range(20_000))
    before = peak_rss_mb()
    started = time.monotonic()
    response = post_page(hostile_client, html)
    assert time.monotonic() - started < TOO_COMPLEX_SECONDS
    assert_error(response, 422, "page_too_complex")
    assert peak_rss_mb() - before < 50


def test_200k_links_are_capped_at_max_links_and_marked_truncated(
    hostile_client: FlaskClient, hostile_app: Flask
) -> None:
    html = "".join(f"<a href=//s{i % 997}.example.org/{i} rel=ugc>{i}</a>" for i in range(200_000))
    response = post_page(hostile_client, html, sites=["s1.example.org"])
    assert response.status_code == 200
    body = response.get_json()
    cap = hostile_app.config["MAX_LINKS"]
    assert len(body["links"]) == cap < 200_000
    assert body["page"]["truncated"] is True
    assert body["summary"]["total"] == cap
    assert body["summary"]["ugc"] == cap
    assert body["sites"]["linked"] is True


def test_a_10mb_attribute_value_is_analysed_by_the_engine() -> None:
    html = '<a href="https://example.org/' + "a" * (10 * MB) + '" rel="sponsored">x</a>'
    result, elapsed = timed(lambda: analyze(html, PAGE))
    assert elapsed < TIME_BUDGET
    assert len(result.links) == 1
    assert result.links[0].rel == ("sponsored",)


def test_a_9mb_attribute_value_through_the_api(hostile_client: FlaskClient) -> None:
    html = '<a href="/x" title="' + "t" * (9 * MB) + '" rel="' + "nofollow " * 1000 + '">x</a>'
    response = post_page(hostile_client, html)
    assert response.status_code == 200
    (link,) = response.get_json()["links"]
    assert link["rel"] == ["nofollow"]


def test_9mb_of_text_in_one_anchor_is_cut_to_a_short_text(hostile_client: FlaskClient) -> None:
    html = '<a href="/x">' + "word " * (9 * MB // 5) + "</a>"
    response = post_page(hostile_client, html)
    assert response.status_code == 200
    (link,) = response.get_json()["links"]
    assert 0 < len(link["text"]) <= 500


def test_deeply_nested_tables_are_a_200(hostile_client: FlaskClient) -> None:
    html = "<table><tr><td>" * 20_000 + '<a href="/in-table">x</a>'
    response = post_page(hostile_client, html)
    assert response.status_code == 200
    assert [link["href"] for link in response.get_json()["links"]] == [
        "https://blog.example.com/in-table"
    ]


def test_end_tags_in_svg_that_empty_the_stack_are_a_200(hostile_client: FlaskClient) -> None:
    # `</b>` inside <svg> closes everything while the formatting <b> stays listed: the next
    # `</b>` meets an empty stack (a 500 in an earlier model of the parser's stack).
    html = "<b><svg></b></b>" + '<i><a href="/x">x</a></i>' * 600
    response = post_page(hostile_client, html)
    assert response.status_code == 200
    assert response.get_json()["summary"]["total"] == 600


def test_nul_bytes_in_html_are_a_200(hostile_client: FlaskClient) -> None:
    html = '<a href="/a\x00b" rel="no\x00follow">\x00x\x00</a>' * 1000 + "\x00" * 100_000
    response = post_page(hostile_client, html)
    assert response.status_code == 200
    assert response.get_json()["summary"]["total"] == 1000


@pytest.mark.parametrize("field", ["url", "html", "sites", "competitors", "charset", "headers"])
def test_lone_surrogate_escapes_in_any_field_never_fail(
    hostile_client: FlaskClient, field: str
) -> None:
    values: dict[str, Any] = {
        "url": '"https://example.com/\\ud800"',
        "html": '"<a href=\\"/\\udfff\\">\\ud800</a><title>\\udbff</title>"',
        "sites": '["ex\\ud800ample.com"]',
        "competitors": '["https://example.org/\\udc00"]',
        "charset": '"utf\\ud800"',
        "headers": '{"X-Robots-Tag": "no\\ud800follow"}',
    }
    defaults = {"url": '"https://example.com/"', "html": '"<a href=/x>x</a>"'}
    parts = {**defaults, field: values[field]}
    body = "{" + ", ".join(f'"{k}": {v}' for k, v in parts.items()) + "}"
    response = post_raw(hostile_client, body.encode())
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert set(response.get_json()["error"]) == {"code", "message"}
    else:
        json.dumps(response.get_json(), ensure_ascii=False).encode("utf-8")


def test_invalid_utf8_in_the_body_is_a_400(hostile_client: FlaskClient) -> None:
    body = b'{"url": "https://example.com/", "html": "<a href=/x>\xff\xfe\xc3</a>"}'
    assert_error(post_raw(hostile_client, body), 400, "invalid_json")


def test_binary_garbage_as_html_is_a_200(hostile_client: FlaskClient) -> None:
    garbage = bytes(range(256)).decode("latin-1") * 5_000 + "<a href=/x>" + "\ufffd<" * 1000
    response = post_page(hostile_client, garbage)
    assert response.status_code == 200


def test_binary_garbage_as_body_is_a_400(hostile_client: FlaskClient) -> None:
    assert_error(post_raw(hostile_client, bytes(range(256)) * 100), 400, "invalid_json")


def test_deeply_nested_json_is_a_400_not_a_recursion_error(hostile_client: FlaskClient) -> None:
    body = b'{"url": "https://example.com/", "html": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_error(post_raw(hostile_client, body), 400, "invalid_json")


def test_a_charset_that_is_no_encoding_label_is_ignored() -> None:
    result = analyze('<a href="/?q=é">x</a>', PAGE, charset="utf\ud800")
    assert result.links[0].href == "https://blog.example.com/?q=%C3%A9"
