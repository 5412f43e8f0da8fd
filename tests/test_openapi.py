"""The OpenAPI document is true: it lists exactly the API's routes, real responses (corpus
pages, errors) validate against it, and every operation answers the guard errors (token,
origin, host, rate limit, method, database) it documents. Prospects and backlinks bodies:
tests/test_openapi_store.py."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, ValidationError
from openapi_document import (
    check,
    fetch_document,
    operation,
    operations,
    path_of_rule,
    request_schema,
    resolve,
    response_object,
    response_schema,
    validate,
)

from server import create_app

CORPUS_PAGES = [
    "iab-1.html",
    "wikipedia-2.html",
    "archive-of-our-own.html",
    "lifehacker-post-comment-load.html",
    "pixnet.html",
    "001.html",
]
PAGE = {"url": "https://blog.example.com/post", "html": "<a href='https://x.org/'>x</a>"}
# One valid request per documented operation (path parameters are 1): the guard tests send
# each of them, so a new operation fails here until it is documented and given one.
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/health", "get"): {},
    ("/api/v1/openapi.json", "get"): {},
    ("/api/v1/analyze", "post"): {"json": PAGE},
    ("/api/v1/prospects", "post"): {"json": {**PAGE, "notes": "n", "tags": ["t"]}},
    ("/api/v1/prospects", "get"): {"query_string": {"status": "new", "sort": "domain"}},
    ("/api/v1/prospects/{prospect_id}", "get"): {},
    ("/api/v1/prospects/{prospect_id}", "patch"): {"json": {"status": "won"}},
    ("/api/v1/prospects/{prospect_id}", "delete"): {},
    ("/api/v1/prospects.csv", "get"): {"query_string": {"tag": "t"}},
    ("/api/v1/prospects/import", "post"): {"data": "example.com\n", "content_type": "text/csv"},
    ("/api/v1/backlinks", "post"): {
        "json": {"source_url": "https://blog.example.com/post", "target": "mysite.com"}
    },
    ("/api/v1/backlinks", "get"): {"query_string": {"result": "unchecked"}},
    ("/api/v1/backlinks/{backlink_id}", "get"): {},
    ("/api/v1/backlinks/{backlink_id}", "delete"): {},
    ("/api/v1/backlinks/{backlink_id}/check", "post"): {},
    ("/api/v1/backlinks/{backlink_id}", "patch"): {"json": {"agreed_anchor": "my guide"}},
    ("/api/v1/backlinks/import", "post"): {
        "data": "source_url,target\nhttps://blog.example.com/post,mysite.com\n",
        "content_type": "text/csv",
    },
    ("/api/v1/backlinks/{backlink_id}/evidence", "get"): {},
    ("/api/v1/evidence/{evidence_id}", "get"): {},
    ("/api/v1/evidence/{evidence_id}/page.html.gz", "get"): {},
    ("/api/v1/alerts", "get"): {"query_string": {"page": "1"}},
    ("/api/v1/alert-deliveries", "get"): {"query_string": {"state": "failed"}},
    ("/api/v1/alert-deliveries/{delivery_id}/retry", "post"): {},
    ("/api/v1/link-checks", "post"): {"json": {"urls": ["https://x.org/"]}},
    ("/api/v1/prospects/bulk", "post"): {"json": {"urls": ["https://x.org/"], "tags": ["t"]}},
    ("/api/v1/jobs", "get"): {"query_string": {"kind": "link-check"}},
    ("/api/v1/jobs/{job_id}", "get"): {"query_string": {"result": "broken"}},
    ("/api/v1/jobs/{job_id}", "delete"): {},
}


def corpus_dir() -> Path:
    """`shared/corpus` beside the repository (or beside one of its parents: worktrees)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/corpus not found beside the repository")


def send(client: FlaskClient, path: str, method: str, **extra: Any) -> Any:
    """The example request of an operation, with `extra` (headers...) added."""
    url = path.format(prospect_id=1, backlink_id=1, job_id=1, evidence_id=1, delivery_id=1)
    return client.open(url, method=method.upper(), **EXAMPLES[(path, method)], **extra)


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Any]:
    """Apps on this test's own database (never the instance folder's), with extra config."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, **config})
        app.instance_path = str(tmp_path)
        made.append(app)
        return app

    yield make
    for app in made:
        store = app.extensions.get("linkinspector.store")
        if store is not None:
            store.engine.dispose()


@pytest.fixture
def api_app(make_app: Any) -> Flask:
    app: Flask = make_app(RATELIMIT_ENABLED=False)
    return app


@pytest.fixture
def api_client(api_app: Flask) -> FlaskClient:
    return api_app.test_client()


@pytest.fixture
def document(api_client: FlaskClient) -> dict[str, Any]:
    return fetch_document(api_client)


def test_the_document_is_openapi_3_1_with_valid_json_schemas(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_it_documents_exactly_the_api_routes(api_app: Flask, document: dict[str, Any]) -> None:
    served = {
        (path_of_rule(rule.rule), method.lower())
        for rule in api_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert len(served) >= 15
    assert set(operations(document)) == served


def test_every_path_parameter_is_documented(document: dict[str, Any]) -> None:
    for path, method in operations(document):
        item = document["paths"][path]
        listed = item.get("parameters", []) + operation(document, path, method).get(
            "parameters", []
        )
        in_path = {p["name"] for p in (resolve(document, p) for p in listed) if p["in"] == "path"}
        assert in_path == set(path.replace("}", "{").split("{")[1::2]), (path, method)


def test_every_operation_has_an_example_request_valid_against_its_body_schema(
    document: dict[str, Any],
) -> None:
    assert set(EXAMPLES) == set(operations(document))
    for (path, method), example in EXAMPLES.items():
        body = operation(document, path, method).get("requestBody")
        assert (body is not None) == ("json" in example or "data" in example), (path, method)
        if "json" in example:
            validate(
                document,
                request_schema(document, path, method, "application/json"),
                example["json"],
            )


def test_health_matches_the_document(api_client: FlaskClient, document: dict[str, Any]) -> None:
    check(document, api_client.get("/api/v1/health"), "/api/v1/health", "GET", 200)


@pytest.mark.parametrize("name", CORPUS_PAGES)
def test_corpus_page_analyses_match_the_document(
    api_client: FlaskClient, document: dict[str, Any], name: str
) -> None:
    html = (corpus_dir() / name).read_text(encoding="utf-8", errors="replace")
    payload = {
        "url": "https://www.example.com/post",
        "html": html,
        "sites": ["wikipedia.org", "https://www.iab.com/guidelines/"],
        "competitors": ["twitter.com", "facebook.com"],
        "charset": "windows-1252",
        "headers": [["X-Robots-Tag", "googlebot: noindex"]],
    }
    validate(
        document, request_schema(document, "/api/v1/analyze", "post", "application/json"), payload
    )
    response = api_client.post("/api/v1/analyze", json=payload)
    body = check(document, response, "/api/v1/analyze", "POST", 200)
    assert body["links"], name


def test_a_truncated_nofollow_page_matches_the_document(
    make_app: Any, document: dict[str, Any]
) -> None:
    client = make_app(MAX_LINKS=3).test_client()
    html = (
        '<base href="/dir/"><meta name="robots" content="noindex, nofollow">'
        '<link rel="canonical" href="/other"><title>t</title>'
        + '<a href="https://www.google.com/url?q=https://x.org/">g</a>'
        + '<a href="mailto:a@b.c" rel="sponsored,nofollow">m</a>'
        + '<area href="https://[::1]:8080/x" alt="map">' * 5
        + '<a href="https://%zz">bad</a><a href="#top"><img alt="up"></a>'
    )
    payload = {"url": "https://ex.com/", "html": html, "headers": {"X-Robots-Tag": "none"}}
    response = client.post("/api/v1/analyze", json=payload)
    body = check(document, response, "/api/v1/analyze", "POST", 200)
    assert body["page"]["truncated"] is True


def test_a_live_page_with_frames_and_shadow_roots_matches_the_document(
    api_client: FlaskClient, document: dict[str, Any]
) -> None:
    html = (
        '<link rel="canonical" href="/elsewhere">'
        '<div><template shadowrootmode="closed"><a href="https://mysite.com/">me</a></template>'
        '</div><a href="/late" rel="nofollow;noopener">late</a>'
    )
    payload = {
        "url": "https://ex.com/post",
        "html": html,
        "served_html": "<p>before scripts</p>",
        "live_links": [
            {"href": "https://mysite.com/", "hidden": False},
            {"href": "https://ex.com/late", "hidden": True},
        ],
        "frames": [
            {"url": "https://w.test/embed", "html": '<a href="/x">x</a>', "charset": "utf-8"},
            {"url": "about:srcdoc", "html": '<a href="y">y</a>', "parent": 0},
        ],
        "sites": ["mysite.com"],
    }
    validate(
        document, request_schema(document, "/api/v1/analyze", "post", "application/json"), payload
    )
    body = check(
        document, api_client.post("/api/v1/analyze", json=payload), "/api/v1/analyze", "POST", 200
    )
    assert [link["frame"] for link in body["links"]] == [None, None, 0, 1]
    assert body["links"][0]["shadow"] is True
    assert body["links"][1]["risks"] == ["canonical_elsewhere", "hidden", "script_only"]
    assert body["sites"]["risks"] == ["canonical_elsewhere", "script_only"]


def test_links_as_arrays_of_the_fields_asked_for_match_the_document(
    api_client: FlaskClient, document: dict[str, Any]
) -> None:
    payload = {
        "url": "https://ex.com/",
        "html": '<a href="/a">a</a><a href="https://x.org/" rel="nofollow">x</a>',
        "link_fields": ["index", "href", "follow", "risks"],
    }
    validate(
        document, request_schema(document, "/api/v1/analyze", "post", "application/json"), payload
    )
    response = api_client.post("/api/v1/analyze", json=payload)
    body = check(document, response, "/api/v1/analyze", "POST", 200)
    assert body["links"] == [[0, "https://ex.com/a", True, []], [1, "https://x.org/", False, []]]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ({"html": "<a href=/x>x</a>"}, "application/json", 400),
        (
            {"url": "https://e.com/", "html": "", "frames": [{"url": "data:x", "html": ""}]},
            "application/json",
            400,
        ),
        (
            {"url": "https://e.com/", "html": "", "live_links": [{"href": "x"}]},
            "application/json",
            400,
        ),
        ({"url": "ftp://example.com/", "html": ""}, "application/json", 400),
        ({"url": "https://example.com/", "html": 3}, "application/json", 400),
        ({"url": "https://example.com/", "html": "", "sites": ["!!"]}, "application/json", 400),
        ("not json", "application/json", 400),
        ("url=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_analyze_errors_match_the_document(
    api_client: FlaskClient, document: dict[str, Any], body: Any, content_type: str, status: int
) -> None:
    data = body if isinstance(body, str) else json.dumps(body)
    response = api_client.post("/api/v1/analyze", data=data, content_type=content_type)
    check(document, response, "/api/v1/analyze", "POST", status)


def test_a_page_too_complex_matches_the_document(make_app: Any, document: dict[str, Any]) -> None:
    client = make_app(RATELIMIT_ENABLED=False, ANALYSIS_CPU_SECONDS=1).test_client()
    try:
        html = "<b><div></b>" * 100_000  # the parser needs tens of seconds for it
        response = client.post("/api/v1/analyze", json={"url": "https://e.com/", "html": html})
        body = check(document, response, "/api/v1/analyze", "POST", 422)
        assert body["error"]["code"] == "page_too_complex"
    finally:
        make_app()  # back to the default analysis budget for the tests that follow


def test_too_large_matches_the_document_on_every_operation_with_a_body(
    make_app: Any, document: dict[str, Any]
) -> None:
    client = make_app(MAX_PAGE_BYTES=100, RATELIMIT_ENABLED=False).test_client()
    with_body = [op for op in operations(document) if "requestBody" in operation(document, *op)]
    assert len(with_body) == 9
    for path, method in with_body:
        big = {"json": {"url": "https://example.com/", "html": "x" * 1000}}
        if "application/json" not in operation(document, path, method)["requestBody"]["content"]:
            big = {"data": "x.com\n" * 200, "content_type": "text/csv"}
        url = path.format(prospect_id=1, backlink_id=1)
        body = check(document, client.open(url, method=method.upper(), **big), path, method, 413)
        assert body["error"]["code"] == "request_entity_too_large"


def test_every_operation_but_health_needs_the_token(
    make_app: Any, document: dict[str, Any]
) -> None:
    client = make_app(API_TOKEN="s3cret", RATELIMIT_ENABLED=False).test_client()
    for path, method in operations(document):
        public = operation(document, path, method).get("security") == [{}]
        response = send(client, path, method)
        if public:
            assert response.status_code == 200, path
        else:
            check(document, response, path, method, 401)
            authorised = send(client, path, method, headers={"Authorization": "Bearer s3cret"})
            assert authorised.status_code != 401, (path, method)
            assert str(authorised.status_code) in operation(document, path, method)["responses"]


def test_every_operation_refuses_web_origins_and_foreign_hosts(
    api_client: FlaskClient, document: dict[str, Any]
) -> None:
    for path, method in operations(document):
        web_page = send(api_client, path, method, headers={"Origin": "https://evil.example"})
        assert check(document, web_page, path, method, 403)["error"]["code"] == "forbidden_origin"
        foreign = send(api_client, path, method, headers={"Host": "evil.example"})
        assert check(document, foreign, path, method, 421)["error"]["code"] == "misdirected_host"


def test_every_operation_but_health_is_rate_limited(
    make_app: Any, document: dict[str, Any]
) -> None:
    client = make_app(RATE_LIMIT="1/minute").test_client()
    assert client.get("/api/v1/openapi.json").status_code == 200  # the one allowed request
    for path, method in operations(document):
        response = send(client, path, method)
        if path == "/api/v1/health":
            assert response.status_code == 200
            assert "429" not in operation(document, path, method)["responses"]
            continue
        check(document, response, path, method, 429)
        for name, header in response_object(document, path, method, 429)["headers"].items():
            validate(document, header["schema"], response.headers.get(name))


def test_a_wrong_method_on_every_path_matches_the_document(
    api_client: FlaskClient, document: dict[str, Any]
) -> None:
    for path, item in document["paths"].items():
        wrong = next(m for m in ("put", "patch", "delete", "post") if m not in item)
        response = api_client.open(
            path.format(prospect_id=1, backlink_id=1, job_id=1, evidence_id=1, delivery_id=1),
            method=wrong,
        )
        assert response.status_code == 405, path
        for method in (m for m in item if m in ("get", "post", "patch", "delete")):
            check(document, response, path, method, 405)


def test_an_unreachable_database_is_a_documented_503_where_the_database_is_used(
    make_app: Any, document: dict[str, Any]
) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://nobody:x@127.0.0.1:{port}/none"
    client = make_app(DATABASE_URL=url, RATELIMIT_ENABLED=False).test_client()
    for path, method in operations(document):
        response = send(client, path, method)
        if (path, method) == ("/api/v1/analyze", "post"):
            assert response.status_code == 200  # no database used; its 503 is analysis_busy
        elif "503" in operation(document, path, method)["responses"]:
            body = check(document, response, path, method, 503)
            assert body["error"]["code"] == "database_unavailable"
        else:
            assert response.status_code == 200, (path, method)


def test_an_unknown_route_matches_the_error_schema(
    api_client: FlaskClient, document: dict[str, Any]
) -> None:
    missing = api_client.get("/api/v1/nope")
    assert missing.status_code == 404
    validate(
        document,
        resolve(document, document["components"]["responses"]["NotFound"])["content"][
            "application/json"
        ]["schema"],
        missing.get_json(),
    )


def test_a_response_with_an_undocumented_field_fails_validation(document: dict[str, Any]) -> None:
    schema = response_schema(document, "/api/v1/health", "GET", 200)
    validate(document, schema, {"status": "ok"})
    with pytest.raises(ValidationError, match="'extra' was unexpected"):
        summary = dict.fromkeys(document["components"]["schemas"]["Summary"]["required"], 0)
        validate(document, {"$ref": "#/components/schemas/Summary"}, {**summary, "extra": 2})
