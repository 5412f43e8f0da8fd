"""POST /api/v1/analyze and the JSON error contract."""

from __future__ import annotations

from typing import Any

from conftest import PageServer
from flask.testing import FlaskClient

PAGE = {"url": "https://blog.test/post", "html": '<a href="https://mysite.com/" rel=ugc>me</a>'}


def test_analyze_returns_links_summary_and_site_verdicts(client: FlaskClient) -> None:
    response = client.post("/api/v1/analyze", json={**PAGE, "sites": ["mysite.com"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["links"][0]["href"] == "https://mysite.com/"
    assert body["links"][0]["rel"] == ["ugc"]
    assert body["links"][0]["follow"] is False
    assert body["page"]["robots"] == {
        "nofollow": False,
        "noindex": False,
        "directives": [],
        "sources": [],
    }
    assert body["summary"]["external"] == 1
    assert body["sites"]["linked"] is True and body["sites"]["followed"] is False


def test_headers_and_charset_are_passed_to_the_engine(client: FlaskClient) -> None:
    body = client.post(
        "/api/v1/analyze",
        json={
            "url": "http://a.test/",
            "html": '<a href="/s?q=é">x</a>',
            "charset": "windows-1252",
            "headers": [["X-Robots-Tag", "nofollow"]],
        },
    ).get_json()
    assert body["links"][0]["href"] == "http://a.test/s?q=%E9"
    assert body["links"][0]["nofollow_reasons"] == ["X-Robots-Tag: nofollow"]


def test_health_says_what_service_this_is(client: FlaskClient) -> None:
    assert client.get("/api/v1/health").get_json()["service"] == "link-inspector"


def error_of(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = response.get_json()
    assert response.is_json and set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"} and body["error"]["message"]
    return response.status_code, body["error"]["code"]


def test_missing_relative_or_non_http_url_is_400(client: FlaskClient) -> None:
    for url in (None, "", "/relative", "ftp://x.test/", "javascript:alert(1)", 42, "http://"):
        payload = {"html": "<p>"} if url is None else {"url": url, "html": "<p>"}
        assert error_of(client.post("/api/v1/analyze", json=payload)) == (400, "invalid_url")


def test_html_not_a_string_is_400(client: FlaskClient) -> None:
    for html in (None, 1, ["<a>"], {"a": 1}):
        response = client.post("/api/v1/analyze", json={"url": PAGE["url"], "html": html})
        assert error_of(response) == (400, "invalid_html")


def test_body_that_is_not_json_is_400_or_415(client: FlaskClient) -> None:
    bad_json = client.post("/api/v1/analyze", data="{not json", content_type="application/json")
    assert error_of(bad_json) == (400, "invalid_json")
    array = client.post("/api/v1/analyze", json=[1, 2])
    assert error_of(array) == (400, "invalid_json")
    form = client.post("/api/v1/analyze", data={"url": "x"})
    assert error_of(form) == (415, "unsupported_media_type")
    invalid_utf8 = client.post(
        "/api/v1/analyze", data=b'{"url": "\xff\xfe"}', content_type="application/json"
    )
    assert error_of(invalid_utf8) == (400, "invalid_json")


def test_bad_sites_competitors_headers_charset_are_400(client: FlaskClient) -> None:
    cases = [
        ({"sites": "mysite.com"}, "invalid_sites"),
        ({"competitors": [1]}, "invalid_competitors"),
        ({"sites": ["not a domain"]}, "invalid_site"),
        ({"headers": "X-Robots-Tag: nofollow"}, "invalid_headers"),
        ({"headers": [["only-name"]]}, "invalid_headers"),
        ({"charset": 7}, "invalid_charset"),
    ]
    for extra, code in cases:
        response = client.post("/api/v1/analyze", json={**PAGE, **extra})
        assert error_of(response) == (400, code), extra


def test_body_over_the_limit_is_413(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/api/v1/analyze", json={**PAGE, "html": "x" * 2000})
    assert error_of(response) == (413, "request_entity_too_large")


def test_unknown_route_is_404_and_wrong_method_405(client: FlaskClient) -> None:
    assert error_of(client.get("/api/v1/nope")) == (404, "not_found")
    assert error_of(client.get("/api/v1/analyze")) == (405, "method_not_allowed")


def test_lone_surrogates_and_nul_bytes_are_a_200(client: FlaskClient) -> None:
    raw = '{"url": "https://a.test/\\ud800", "html": "<a href=\\"/x\\ud800\\u0000\\">\\udfff</a>"}'
    response = client.post("/api/v1/analyze", data=raw, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["summary"]["total"] == 1


def test_deep_nesting_and_many_links_are_a_200(client: FlaskClient) -> None:
    deep = "<div>" * 10_000 + '<a href="/deep">d</a>' + "</div>" * 10_000
    assert client.post("/api/v1/analyze", json={**PAGE, "html": deep}).status_code == 200
    many = '<a href="/x">x</a>' * 200_000
    response = client.post("/api/v1/analyze", json={**PAGE, "html": many})
    assert response.status_code == 200
    assert response.get_json()["summary"]["total"] == 10_000
    assert response.get_json()["page"]["truncated"] is True


def test_api_token_is_required_when_configured(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    app.config["API_TOKEN"] = "s3cret"
    assert error_of(client.post("/api/v1/analyze", json=PAGE)) == (401, "unauthorized")
    wrong = client.post("/api/v1/analyze", json=PAGE, headers={"Authorization": "Bearer nope"})
    assert error_of(wrong) == (401, "unauthorized")
    right = client.post("/api/v1/analyze", json=PAGE, headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200
    assert client.get("/api/v1/health").status_code == 200


def test_live_page_fields_reach_the_engine(client: FlaskClient) -> None:
    body = client.post(
        "/api/v1/analyze",
        json={
            "url": "https://blog.test/post",
            "html": '<a href="/a">a</a><a href="/b">b</a>',
            "served_html": '<a href="/a">a</a>',
            "live_links": [
                {"href": "https://blog.test/a", "hidden": True},
                {"href": "https://blog.test/b", "hidden": False},
            ],
            "frames": [{"url": "about:srcdoc", "html": '<a href="c">c</a>'}],
        },
    ).get_json()
    assert [(x["origin"], x["hidden"], x["frame_url"]) for x in body["links"]] == [
        ("html", True, None),
        ("script", False, None),
        (None, None, "about:srcdoc"),
    ]
    assert body["links"][2]["href"] == "https://blog.test/c"
    assert body["page"]["frames"][0]["base_url"] == "https://blog.test/post"


def test_bad_live_page_fields_are_clear_400s(client: FlaskClient) -> None:
    base = {"url": "https://blog.test/", "html": ""}
    cases = [
        ({"served_html": 3}, "invalid_served_html"),
        ({"live_links": "x"}, "invalid_live_links"),
        ({"live_links": [{"href": "x", "hidden": "yes"}]}, "invalid_live_links"),
        ({"frames": {}}, "invalid_frames"),
        ({"frames": [{"url": "https://f.test/"}]}, "invalid_frames"),
        ({"frames": [{"url": "javascript:x", "html": ""}]}, "invalid_frames"),
        ({"frames": [{"url": "https://f.test/", "html": "", "parent": 0}]}, "invalid_frames"),
        ({"frames": [{"url": "https://f.test/", "html": "", "parent": True}]}, "invalid_frames"),
        ({"frames": [{"url": "about:srcdoc", "html": ""}] * 101}, "invalid_frames"),
        ({"frames": [{"url": "about:srcdoc", "html": "", "charset": 1}]}, "invalid_charset"),
    ]
    for extra, code in cases:
        response = client.post("/api/v1/analyze", json={**base, **extra})
        assert error_of(response) == (400, code), extra


def test_link_fields_answer_each_link_as_an_array_of_those_fields(client: FlaskClient) -> None:
    page = {
        "url": "https://blog.test/post",
        "html": '<a href="/a" rel="ugc,nofollow">a</a><a href="https://x.test/">x</a>',
    }
    full = client.post("/api/v1/analyze", json=page).get_json()
    asked = ["href", "follow", "nofollow_reasons", "no_such_field", "href", "index"]
    compact = client.post("/api/v1/analyze", json={**page, "link_fields": asked}).get_json()
    # Unknown names are left out (a newer client still works), each field comes once.
    assert compact["link_fields"] == ["href", "follow", "nofollow_reasons", "index"]
    assert compact["links"] == [
        [link["href"], link["follow"], link["nofollow_reasons"], link["index"]]
        for link in full["links"]
    ]
    # Everything else is as without the option.
    assert {k: v for k, v in compact.items() if k not in ("links", "link_fields")} == {
        k: v for k, v in full.items() if k != "links"
    }
    one = client.post("/api/v1/analyze", json={**page, "link_fields": ["href"]}).get_json()
    assert one["links"] == [["https://blog.test/a"], ["https://x.test/"]]
    none = client.post("/api/v1/analyze", json={**page, "link_fields": []}).get_json()
    assert none["links"] == [[], []]
    assert "link_fields" not in full


def test_bad_link_fields_are_clear_400s(client: FlaskClient) -> None:
    base = {"url": "https://blog.test/", "html": ""}
    for value in ("href", [1], {"href": True}, ["href"] * 101):
        response = client.post("/api/v1/analyze", json={**base, "link_fields": value})
        assert error_of(response) == (400, "invalid_link_fields"), value


def test_robots_txt_that_disallows_the_page_puts_its_links_at_risk(
    app: Any, page_server: PageServer
) -> None:
    app.config.update(ROBOTS_TXT=True, ALLOW_PRIVATE_FETCH=True)
    page_server.page("/robots.txt", "User-agent: Googlebot\nDisallow: /private\n")
    page_url = page_server.url("/private/page")
    body = (
        app.test_client()
        .post(
            "/api/v1/analyze",
            json={
                "url": page_url,
                "html": '<a href="https://mysite.com/">me</a>',
                "sites": ["mysite.com"],
                "frames": [{"url": page_server.url("/open/frame"), "html": '<a href="/x">x</a>'}],
            },
        )
        .get_json()
    )
    assert body["page"]["robots_txt"] == {
        "status": "disallowed",
        "url": page_server.url("/robots.txt"),
        "rule": "Disallow: /private",
    }
    assert body["links"][0]["risks"] == ["robots_txt_disallowed"]
    assert body["sites"]["risks"] == ["robots_txt_disallowed"]
    assert body["page"]["frames"][0]["robots_txt"]["status"] == "allowed"
    assert body["links"][1]["risks"] == ["in_frame"]
    assert body["page"]["warnings"][0].startswith("robots.txt blocks Googlebot from this page")


def test_robots_txt_is_not_fetched_when_turned_off(app: Any, page_server: PageServer) -> None:
    app.config.update(ROBOTS_TXT=False, ALLOW_PRIVATE_FETCH=True)
    body = (
        app.test_client()
        .post("/api/v1/analyze", json={"url": page_server.url("/p"), "html": "<a href=/x>x</a>"})
        .get_json()
    )
    assert body["page"]["robots_txt"]["status"] == "unknown"
    assert page_server.hits == []
