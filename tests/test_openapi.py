"""The OpenAPI document is true: real responses (corpus pages, errors) validate against it, and
it lists exactly the API's routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from server import create_app

DOC_URI = "urn:link-inspector:openapi"
# Every route of these blueprints must be in the document (prospects and backlinks: to do).
DOCUMENTED_BLUEPRINTS = {"analyze", "openapi"}
CORPUS_PAGES = [
    "iab-1.html",
    "wikipedia-2.html",
    "archive-of-our-own.html",
    "lifehacker-post-comment-load.html",
    "pixnet.html",
    "001.html",
]


def corpus_dir() -> Path:
    """`shared/corpus` beside the repository (or beside one of its parents: worktrees)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/corpus not found beside the repository")


@pytest.fixture
def api_app() -> Flask:
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False})


@pytest.fixture
def api_client(api_app: Flask) -> FlaskClient:
    return api_app.test_client()


@pytest.fixture
def document(api_client: FlaskClient) -> dict[str, Any]:
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def response_schema(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    """The JSON schema the document gives for this response (a $ref into the document)."""
    operation = document["paths"][path][method.lower()]
    assert str(status) in operation["responses"], f"{method} {path} {status} is undocumented"
    response = operation["responses"][str(status)]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = document["components"]["responses"][name]
    return response["content"]["application/json"]["schema"]


def validate(document: dict[str, Any], schema: Any, instance: Any) -> None:
    registry: Registry[Any] = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    if isinstance(schema, dict) and "$ref" in schema:
        schema = {"$ref": DOC_URI + schema["$ref"]}
    Draft202012Validator(schema, registry=registry).validate(instance)


def check(
    document: dict[str, Any], response: Any, path: str, method: str, expected_status: int
) -> dict[str, Any]:
    assert response.status_code == expected_status, response.data[:300]
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    validate(document, response_schema(document, path, method, response.status_code), body)
    return body


def test_the_document_is_openapi_3_1_with_valid_json_schemas(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_it_documents_every_route_of_its_blueprints_and_no_other(
    api_app: Flask, document: dict[str, Any]
) -> None:
    served = {
        (rule.rule, method.lower(), rule.endpoint.split(".")[0])
        for rule in api_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path.replace("{", "<").replace("}", ">"), method)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented <= {(rule, method) for rule, method, _ in served}
    of_documented_blueprints = {
        (rule, method) for rule, method, blueprint in served if blueprint in DOCUMENTED_BLUEPRINTS
    }
    assert of_documented_blueprints <= documented


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
    response = api_client.post("/api/v1/analyze", json=payload)
    body = check(document, response, "/api/v1/analyze", "POST", 200)
    assert body["links"], name


def test_a_truncated_nofollow_page_matches_the_document(document: dict[str, Any]) -> None:
    client = create_app({"TESTING": True, "MAX_LINKS": 3}).test_client()
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


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ({"html": "<a href=/x>x</a>"}, "application/json", 400),
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


def test_too_large_and_unauthorized_match_the_document(document: dict[str, Any]) -> None:
    client = create_app({"TESTING": True, "MAX_PAGE_BYTES": 100}).test_client()
    big = {"url": "https://example.com/", "html": "x" * 1000}
    check(document, client.post("/api/v1/analyze", json=big), "/api/v1/analyze", "POST", 413)
    client = create_app({"TESTING": True, "API_TOKEN": "s3cret"}).test_client()
    small = {"url": "https://example.com/", "html": ""}
    check(document, client.post("/api/v1/analyze", json=small), "/api/v1/analyze", "POST", 401)


def test_wrong_method_and_unknown_route_match_the_error_schema(
    api_client: FlaskClient, document: dict[str, Any]
) -> None:
    check(document, api_client.get("/api/v1/analyze"), "/api/v1/analyze", "POST", 405)
    missing = api_client.get("/api/v1/nope")
    assert missing.status_code == 404
    validate(document, {"$ref": "#/components/schemas/Error"}, missing.get_json())


def test_a_response_with_an_undocumented_field_fails_validation(document: dict[str, Any]) -> None:
    schema = response_schema(document, "/api/v1/health", "GET", 200)
    validate(document, schema, {"status": "ok"})
    with pytest.raises(ValidationError, match="'extra' was unexpected"):
        summary = dict.fromkeys(document["components"]["schemas"]["Summary"]["required"], 0)
        validate(document, {"$ref": "#/components/schemas/Summary"}, {**summary, "extra": 2})


def test_guard_and_rate_limit_errors_match_the_document(document: dict[str, Any]) -> None:
    client = create_app({"TESTING": True, "RATE_LIMIT": "1/minute"}).test_client()
    small = {"url": "https://example.com/", "html": ""}
    path = "/api/v1/analyze"
    check(document, client.post(path, json=small), path, "POST", 200)
    limited = client.post(path, json=small)
    check(document, limited, path, "POST", 429)
    foreign_host = client.post(path, json=small, headers={"Host": "evil.example"})
    check(document, foreign_host, path, "POST", 421)
    web_page = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    check(document, web_page, "/api/v1/health", "GET", 403)
