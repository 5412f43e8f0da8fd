"""The prospects and backlinks API answers what its OpenAPI document says: every operation's
real responses (successes and each kind of error) validate against the documented schemas,
requests the server accepts validate against the request schemas, and the documented enums
are the server's."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import ValidationError
from openapi_document import (
    check,
    check_csv,
    check_no_content,
    fetch_document,
    is_valid,
    operation,
    parameters,
    request_schema,
    response_schema,
    validate,
)

from server.store.models import CHECK_RESULTS, PROSPECT_STATUSES
from server.store.prospect_csv import EXPORT_COLUMNS
from server.store.prospects import MAX_PER_PAGE, SORTS
from server.store.signals import SOCIAL_NETWORKS

pytestmark = pytest.mark.databases

PROSPECTS = "/api/v1/prospects"
PROSPECT = "/api/v1/prospects/{prospect_id}"
EXPORT = "/api/v1/prospects.csv"
IMPORT = "/api/v1/prospects/import"
BACKLINKS = "/api/v1/backlinks"
BACKLINK = "/api/v1/backlinks/{backlink_id}"
CHECK = "/api/v1/backlinks/{backlink_id}/check"

BLOG = """<title>Gardening tips</title>
<a href="https://competitor.com/guide">A great guide</a>
<a href="https://rival.net/" rel="nofollow">rival</a>
<a href="https://other.org/x" rel="nofollow">other</a>
<a href="https://ads.example/x" rel="sponsored">ad</a>
<a href="https://forum.example/x" rel="ugc">ugc</a>
<a href="/write-for-us">Write for us</a>
<a href="/contact">Get in touch</a>
<a href="/about">About</a>
<a href="mailto:Editor@Blog.com?subject=Hello">Email us</a>
<a href="https://twitter.com/blogco">Twitter</a>
<a href="https://github.com/blogco">GitHub</a>
"""


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    return fetch_document(client)


def save(
    client: FlaskClient, document: dict[str, Any], payload: dict[str, Any], status: int = 201
) -> Any:
    """POST /prospects with a payload the request schema accepts; the response checked."""
    validate(document, request_schema(document, PROSPECTS, "post", "application/json"), payload)
    return check(document, client.post(PROSPECTS, json=payload), PROSPECTS, "post", status)


def track(client: FlaskClient, document: dict[str, Any], source_url: str, status: int = 201) -> Any:
    payload = {"source_url": source_url, "target": "mysite.com"}
    validate(document, request_schema(document, BACKLINKS, "post", "application/json"), payload)
    return check(document, client.post(BACKLINKS, json=payload), BACKLINKS, "post", status)


def error_code(body: Any) -> str:
    code: str = body["error"]["code"]
    return code


# Prospects


def test_saved_prospects_match_the_document(client: FlaskClient, document: dict[str, Any]) -> None:
    first = save(
        client,
        document,
        {
            "url": "https://www.blog.com/posts/roses#comments",
            "html": BLOG,
            "competitors": ["competitor.com", "rival.net"],
            "sites": ["https://mysite.com/shop/"],
            "notes": "Nice blog",
            "tags": ["Gardening", "gardening", "Roses"],
            "charset": "utf-8",
            "headers": {"X-Robots-Tag": "noarchive"},
        },
    )
    assert first["created"] is True
    assert first["verdict"] == "best"
    assert first["saved_page"] == first["pages"][0]["id"]
    assert first["contact"]["social"] and first["outbound"]["share_followed"] is not None
    again = save(
        client,
        document,
        {"url": "https://blog.com/write-for-us", "html": "<title>Write for us</title>"},
    )
    assert again["created"] is False
    assert again["page_count"] == 2
    mention = save(
        client,
        document,
        {
            "url": "https://news.org/",
            "html": '<meta name=robots content=nofollow><a href="https://mysite.com/">me</a>',
            "sites": ["mysite.com"],
        },
    )
    # Linked, but robots make it nofollow: not a won link.
    assert mention["verdict"] == "good"
    assert mention["pages"][0]["outbound"]["share_followed"] == 0
    won = save(
        client,
        document,
        {
            "url": "https://press.org/",
            "html": '<meta name=robots content=noindex><a href="https://mysite.com/">me</a>',
            "sites": ["mysite.com"],
        },
    )
    assert won["verdict"] == "won" and "at risk: noindex" in won["why"]
    empty = save(client, document, {"url": "https://quiet.org/", "html": ""})
    assert empty["verdict"] == "unknown"
    assert empty["pages"][0]["outbound"]["share_followed"] is None


@pytest.mark.parametrize(
    ("payload", "code", "schema_rejects"),
    [
        ({"html": "<p>x</p>"}, "invalid_url", True),
        ({"url": "ftp://blog.com/", "html": ""}, "invalid_url", False),
        ({"url": "https://exa mple.com/", "html": ""}, "invalid_url", False),
        ({"url": "https://blog.com/", "html": 3}, "invalid_html", True),
        ({"url": "https://blog.com/", "html": "", "charset": 8}, "invalid_charset", True),
        ({"url": "https://blog.com/", "html": "", "headers": "x"}, "invalid_headers", True),
        ({"url": "https://blog.com/", "html": "", "sites": "a.com"}, "invalid_sites", True),
        ({"url": "https://blog.com/", "html": "", "competitors": [1]}, "invalid_competitors", True),
        ({"url": "https://blog.com/", "html": "", "sites": ["!!"]}, "invalid_site", False),
        ({"url": "https://blog.com/", "html": "", "notes": 5}, "invalid_notes", True),
        ({"url": "https://blog.com/", "html": "", "notes": "n" * 20_001}, "invalid_notes", True),
        ({"url": "https://blog.com/", "html": "", "tags": "seo"}, "invalid_tags", True),
        ({"url": "https://blog.com/", "html": "", "tags": ["x" * 65]}, "invalid_tags", False),
        ([], "invalid_json", True),
    ],
)
def test_save_errors_match_the_document(
    client: FlaskClient, document: dict[str, Any], payload: Any, code: str, schema_rejects: bool
) -> None:
    body = check(document, client.post(PROSPECTS, json=payload), PROSPECTS, "post", 400)
    assert error_code(body) == code
    schema = request_schema(document, PROSPECTS, "post", "application/json")
    assert is_valid(document, schema, payload) is not schema_rejects
    assert client.get(PROSPECTS).get_json()["total"] == 0


def test_save_refuses_a_body_that_is_not_json(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    form = client.post(PROSPECTS, data={"url": "https://blog.com/"})
    assert error_code(check(document, form, PROSPECTS, "post", 415)) == "unsupported_media_type"
    broken = client.post(PROSPECTS, data="{", content_type="application/json")
    assert error_code(check(document, broken, PROSPECTS, "post", 400)) == "invalid_json"


def test_prospect_lists_match_the_document_for_every_documented_filter_and_sort(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    save(
        client,
        document,
        {
            "url": "https://blog.com/",
            "html": BLOG,
            "tags": ["seo"],
            "competitors": ["competitor.com"],
        },
    )
    save(client, document, {"url": "https://other.net/", "html": "<title>Other</title>"})
    params = parameters(document, PROSPECTS, "get")
    assert set(params) == {"status", "tag", "links_to_competitor", "q", "sort", "page", "per_page"}
    queries: list[dict[str, str]] = [{}]
    queries += [{"sort": sort} for sort in params["sort"]["schema"]["enum"]]
    queries += [
        {"status": status} for status in document["components"]["schemas"]["ProspectStatus"]["enum"]
    ]
    queries += [{"links_to_competitor": flag} for flag in ("true", "false")]
    queries += [
        {"tag": "SEO"},
        {"q": "blog"},
        {"page": "2", "per_page": "1"},
        {"per_page": str(params["per_page"]["schema"]["maximum"])},
    ]
    totals = {}
    for query in queries:
        body = check(document, client.get(PROSPECTS, query_string=query), PROSPECTS, "get", 200)
        totals[tuple(query.items())] = body["total"]
    assert totals[()] == 2
    assert totals[(("links_to_competitor", "true"),)] == 1
    assert totals[(("tag", "SEO"),)] == 1
    assert totals[(("status", "won"),)] == 0


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"status": "lost"}, "invalid_status"),
        ({"tag": "x" * 65}, "invalid_tags"),
        ({"links_to_competitor": "maybe"}, "invalid_links_to_competitor"),
        ({"q": "x" * 201}, "invalid_q"),
        ({"sort": "price"}, "invalid_sort"),
        ({"page": "0"}, "invalid_page"),
        ({"per_page": "201"}, "invalid_per_page"),
    ],
)
def test_bad_prospect_queries_match_the_document_on_list_and_export(
    client: FlaskClient, document: dict[str, Any], query: dict[str, str], code: str
) -> None:
    for path in (PROSPECTS, EXPORT):
        body = check(document, client.get(path, query_string=query), path, "get", 400)
        assert error_code(body) == code
    [(name, value)] = query.items()
    schema = parameters(document, PROSPECTS, "get")[name]["schema"]
    if schema.get("type") == "integer":
        assert not is_valid(document, schema, int(value))
    elif schema.get("type") != "boolean":
        assert not is_valid(document, schema, value)


def test_one_prospect_edit_and_delete_match_the_document(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    saved = save(client, document, {"url": "https://blog.com/", "html": BLOG, "tags": ["a"]})
    url = f"/api/v1/prospects/{saved['id']}"
    shown = check(document, client.get(url), PROSPECT, "get", 200)
    assert shown["pages"] and "created" not in shown
    schema = request_schema(document, PROSPECT, "patch", "application/json")
    for change in (
        {"status": "contacted", "notes": "Mailed the editor", "tags": ["Outreach", "b"]},
        {"status": None, "notes": None},
        {"tags": None},
        {},
    ):
        validate(document, schema, change)
        check(document, client.patch(url, json=change), PROSPECT, "patch", 200)
    edited = check(document, client.get(url), PROSPECT, "get", 200)
    assert (edited["status"], edited["tags"]) == ("contacted", [])
    check_no_content(document, client.delete(url), PROSPECT, "delete")
    for method in ("get", "patch", "delete"):
        gone = client.open(url, method=method.upper(), json={})
        assert error_code(check(document, gone, PROSPECT, method, 404)) == "not_found"


@pytest.mark.parametrize(
    ("change", "code", "schema_rejects"),
    [
        ({"domain": "evil.com"}, "invalid_field", True),
        ({"status": "lost"}, "invalid_status", True),
        ({"status": 3}, "invalid_status", True),
        ({"notes": ["x"]}, "invalid_notes", True),
        ({"notes": "n" * 20_001}, "invalid_notes", True),
        ({"tags": ["x" * 65]}, "invalid_tags", False),
        ({"tags": "a,b"}, "invalid_tags", True),
        ([1], "invalid_json", True),
    ],
)
def test_edit_errors_match_the_document_and_change_nothing(
    client: FlaskClient, document: dict[str, Any], change: Any, code: str, schema_rejects: bool
) -> None:
    saved = save(client, document, {"url": "https://blog.com/", "html": "", "notes": "keep"})
    url = f"/api/v1/prospects/{saved['id']}"
    response = client.patch(url, json=change)
    schema = request_schema(document, PROSPECT, "patch", "application/json")
    assert is_valid(document, schema, change) is not schema_rejects
    assert error_code(check(document, response, PROSPECT, "patch", 400)) == code
    as_form = client.patch(url, data={"status": "won"})
    assert error_code(check(document, as_form, PROSPECT, "patch", 415)) == "unsupported_media_type"
    kept = check(document, client.get(url), PROSPECT, "get", 200)
    assert (kept["status"], kept["notes"]) == ("new", "keep")


def test_csv_export_matches_the_document(client: FlaskClient, document: dict[str, Any]) -> None:
    save(client, document, {"url": "https://blog.com/", "html": BLOG, "notes": "=1+1"})
    rows = check_csv(document, client.get(EXPORT), EXPORT, "get")
    assert rows[0] == list(EXPORT_COLUMNS)
    assert rows[1][rows[0].index("notes")] == "'=1+1"
    assert set(parameters(document, EXPORT, "get")) == set(parameters(document, PROSPECTS, "get"))
    filtered = check_csv(
        document, client.get(EXPORT, query_string={"status": "won"}), EXPORT, "get"
    )
    assert len(filtered) == 1


def test_csv_import_matches_the_document_for_every_documented_content_type(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    content = operation(document, IMPORT, "post")["requestBody"]["content"]
    assert set(content) == {"text/csv", "application/csv", "text/plain", "multipart/form-data"}
    text = "url,status,tags,notes\nhttps://alpha.com/x,qualified,a;b,hi\nnot a domain,,,\n"
    for n, content_type in enumerate(sorted(content)):
        body = text.replace("alpha", f"alpha{n}")
        if content_type == "multipart/form-data":
            data: Any = {"file": (io.BytesIO(("\ufeff" + body).encode()), "list.csv")}
        else:
            data = body
        response = client.post(IMPORT, data=data, content_type=content_type)
        report = check(document, response, IMPORT, "post", 200)
        assert [r["row"] for r in report["created"]] == [2], content_type
        assert [r["row"] for r in report["errors"]] == [3]
    again = client.post(IMPORT, data="alpha0.com\n", content_type="text/csv")
    assert check(document, again, IMPORT, "post", 200)["existing"][0]["row"] == 1


def test_csv_import_errors_match_the_document(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    cases = [
        ({"data": "", "content_type": "text/csv"}, 400, "invalid_csv"),
        ({"data": "a.com\n" * 10_002, "content_type": "text/csv"}, 400, "invalid_csv"),
        ({"data": b"\xff\xfe", "content_type": "text/csv"}, 400, "invalid_encoding"),
        ({"data": {}, "content_type": "multipart/form-data"}, 400, "missing_file"),
        ({"json": {"csv": "a.com"}}, 415, "unsupported_media_type"),
        ({"data": "x" * (2 * 1024 * 1024 + 1), "content_type": "text/csv"}, 413, "too_large"),
    ]
    for request, status, code in cases:
        response = client.post(IMPORT, **request)
        assert error_code(check(document, response, IMPORT, "post", status)) == code
    assert client.get(PROSPECTS).get_json()["total"] == 0


def test_the_documented_enums_are_the_servers(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ProspectStatus"]["enum"] == list(PROSPECT_STATUSES)
    assert schemas["CheckResult"]["enum"] == list(CHECK_RESULTS)
    assert set(schemas["Social"]["properties"]["network"]["enum"]) == set(SOCIAL_NETWORKS.values())
    sort = parameters(document, PROSPECTS, "get")["sort"]["schema"]
    assert sort["enum"] == list(SORTS)
    assert parameters(document, PROSPECTS, "get")["per_page"]["schema"]["maximum"] == MAX_PER_PAGE
    result = parameters(document, BACKLINKS, "get")["result"]["schema"]
    assert result["enum"] == [*CHECK_RESULTS, "unchecked"]


def test_a_prospect_or_backlink_with_an_undocumented_field_fails_validation(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    saved = save(client, document, {"url": "https://blog.com/", "html": BLOG})
    listed = client.get(PROSPECTS).get_json()["items"][0]
    for name, instance in (("SavedProspect", saved), ("ProspectListItem", listed)):
        with pytest.raises(ValidationError, match="'extra' was unexpected"):
            validate(document, {"$ref": f"#/components/schemas/{name}"}, {**instance, "extra": 1})
    with pytest.raises(ValidationError, match="'pages'"):
        validate(document, {"$ref": "#/components/schemas/ProspectListItem"}, saved)
    del saved["contact"]["emails"]
    with pytest.raises(ValidationError, match="'emails' is a required property"):
        validate(document, response_schema(document, PROSPECTS, "post", 201), saved)
    tracked = track(client, document, "https://blog.com/")
    with pytest.raises(ValidationError, match="'extra' was unexpected"):
        validate(
            document, response_schema(document, BACKLINKS, "post", 201), {**tracked, "extra": 1}
        )
    with pytest.raises(ValidationError):
        validate(
            document,
            response_schema(document, BACKLINKS, "post", 201),
            {**tracked, "last_result": "lost"},
        )


# Backlinks


def test_tracking_and_listing_backlinks_match_the_document(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    first = track(client, document, "https://blog.com/post")
    assert first["created"] is True and first["last_result"] is None
    again = track(client, document, "https://blog.com/post", status=200)
    assert (again["created"], again["id"]) == (False, first["id"])
    track(client, document, "https://other.net/")
    params = parameters(document, BACKLINKS, "get")
    assert set(params) == {"result", "show", "page", "per_page"}
    queries: list[dict[str, str]] = [{}, {"page": "2", "per_page": "1"}, {"per_page": "200"}]
    queries += [{"result": result} for result in params["result"]["schema"]["enum"]]
    for query in queries:
        body = check(document, client.get(BACKLINKS, query_string=query), BACKLINKS, "get", 200)
        expected = 0 if query.get("result", "unchecked") != "unchecked" else 2
        assert body["total"] == expected, query
    shown = check(document, client.get(f"{BACKLINKS}/{first['id']}"), BACKLINK, "get", 200)
    assert shown["history"] == []


@pytest.mark.parametrize(
    ("payload", "code", "schema_rejects"),
    [
        ({"target": "mysite.com"}, "invalid_source_url", True),
        ({"source_url": "ftp://blog.com/", "target": "mysite.com"}, "invalid_source_url", False),
        ({"source_url": "https://a b.com/", "target": "mysite.com"}, "invalid_source_url", False),
        ({"source_url": "https://blog.com/"}, "invalid_target", True),
        ({"source_url": "https://blog.com/", "target": 7}, "invalid_target", True),
        ({"source_url": "https://blog.com/", "target": "!!"}, "invalid_target", False),
        (["https://blog.com/"], "invalid_json", True),
    ],
)
def test_track_errors_match_the_document(
    client: FlaskClient, document: dict[str, Any], payload: Any, code: str, schema_rejects: bool
) -> None:
    body = check(document, client.post(BACKLINKS, json=payload), BACKLINKS, "post", 400)
    assert error_code(body) == code
    schema = request_schema(document, BACKLINKS, "post", "application/json")
    assert is_valid(document, schema, payload) is not schema_rejects
    as_form = client.post(BACKLINKS, data={"source_url": "https://blog.com/"})
    assert error_code(check(document, as_form, BACKLINKS, "post", 415)) == "unsupported_media_type"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"result": "lost"}, "invalid_result"),
        ({"page": "x"}, "invalid_page"),
        ({"per_page": "0"}, "invalid_per_page"),
    ],
)
def test_bad_backlink_queries_match_the_document(
    client: FlaskClient, document: dict[str, Any], query: dict[str, str], code: str
) -> None:
    body = check(document, client.get(BACKLINKS, query_string=query), BACKLINKS, "get", 400)
    assert error_code(body) == code


def test_every_check_result_matches_the_document(
    app: Flask, document: dict[str, Any], page_server: PageServer
) -> None:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    client = app.test_client()
    followed = page_server.page("/a", '<p>Thanks to <a href="https://mysite.com/x">me</a></p>')
    nofollow = page_server.page(
        "/b", '<a href="https://mysite.com/">me</a>', headers=[("X-Robots-Tag", "nofollow")]
    )
    missing = page_server.page("/c", '<a href="https://elsewhere.com/">x</a>')
    gone = page_server.url("/gone")
    failing = page_server.page("/failing", "oops", status=500)
    expected = {
        followed: "live-followed",
        nofollow: "live-nofollow",
        missing: "missing",
        gone: "missing",  # a 404: the page, and its link, are gone
        failing: "error",
    }
    for source_url, result in expected.items():
        backlink_id = track(client, document, source_url)["id"]
        response = client.post(f"{BACKLINKS}/{backlink_id}/check")
        body = check(document, response, CHECK, "post", 200)
        assert body["check"]["result"] == body["last_result"] == result
        assert body["history"][0] == body["check"]
    # The result changes: history keeps every check, the newest first.
    backlink_id = track(client, document, page_server.page("/d", "<p>no link yet</p>"))["id"]
    first = check(document, client.post(f"{BACKLINKS}/{backlink_id}/check"), CHECK, "post", 200)
    assert first["check"]["result"] == "missing" and first["check"]["previous_result"] is None
    page_server.page("/d", '<a href="https://mysite.com/" rel="sponsored">me</a>')
    changed = check(document, client.post(f"{BACKLINKS}/{backlink_id}/check"), CHECK, "post", 200)
    assert changed["check"]["changed"] is True
    assert changed["check"]["previous_result"] == "missing"
    shown = check(document, client.get(f"{BACKLINKS}/{backlink_id}"), BACKLINK, "get", 200)
    assert [c["result"] for c in shown["history"]] == ["live-nofollow", "missing"]
    assert shown["last_changed_at"] is not None


def test_a_refused_private_fetch_and_unknown_backlinks_match_the_document(
    client: FlaskClient, document: dict[str, Any], page_server: PageServer
) -> None:
    url = page_server.page("/post", '<a href="https://mysite.com/">me</a>')
    backlink_id = track(client, document, url)["id"]
    body = check(document, client.post(f"{BACKLINKS}/{backlink_id}/check"), CHECK, "post", 200)
    assert body["check"]["result"] == "error" and body["check"]["error"] is not None
    assert page_server.hits == []
    check_no_content(document, client.delete(f"{BACKLINKS}/{backlink_id}"), BACKLINK, "delete")
    for path, method in ((BACKLINK, "get"), (BACKLINK, "delete"), (CHECK, "post")):
        response = client.open(path.format(backlink_id=backlink_id), method=method.upper())
        assert error_code(check(document, response, path, method, 404)) == "not_found"
