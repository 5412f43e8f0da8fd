"""Prospects API: saving pages as prospects, one per site, filters, edits, CSV."""

from __future__ import annotations

import csv
import io
import socket
from typing import Any

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.databases

BLOG = """<title>Gardening tips</title>
<a href="https://competitor.com/guide">A great guide</a>
<a href="https://other.org/x" rel="nofollow">other</a>
<a href="https://ads.example/x" rel="sponsored">ad</a>
<a href="/write-for-us">Write for us</a>
<a href="/contact">Get in touch</a>
<a href="/about">About</a>
<a href="mailto:Editor@Blog.com?subject=Hello">Email us</a>
<a href="https://twitter.com/blogco">Twitter</a>
<a href="https://twitter.com/intent/tweet?url=x">Share</a>
"""


def save(client: FlaskClient, url: str, html: str = "<title>T</title>", **extra: Any) -> Any:
    response = client.post("/api/v1/prospects", json={"url": url, "html": html, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_saving_a_page_creates_a_prospect_with_signals_and_profile(client: FlaskClient) -> None:
    body = save(
        client,
        "https://www.blog.com/posts/roses",
        BLOG,
        competitors=["competitor.com"],
        notes="Nice blog",
        tags=["Gardening"],
    )
    assert body["created"] is True
    assert body["domain"] == "blog.com"
    assert body["status"] == "new"
    assert body["notes"] == "Nice blog"
    assert body["tags"] == ["gardening"]
    contact = body["contact"]
    assert contact["emails"] == ["editor@blog.com"]
    assert contact["write_for_us"] == ["https://www.blog.com/write-for-us"]
    assert contact["contact_pages"] == ["https://www.blog.com/contact"]
    assert contact["about_pages"] == ["https://www.blog.com/about"]
    assert contact["social"] == [{"network": "x", "url": "https://twitter.com/blogco"}]
    assert body["outbound"]["external"] == 5
    assert body["outbound"]["sponsored"] == 1
    assert body["outbound"]["followed_external"] == 3
    assert body["pages"][0]["title"] == "Gardening tips"
    assert body["pages"][0]["url"] == "https://www.blog.com/posts/roses"


def test_a_site_linking_to_a_competitor_is_called_the_best_prospect(client: FlaskClient) -> None:
    body = save(client, "https://blog.com/a", BLOG, competitors=["competitor.com"])
    assert body["verdict"] == "best"
    assert "competitor.com (followed)" in body["why"]
    assert body["links_to_competitor"] is True
    assert body["competitors"] == [
        {"site": "competitor.com", "followed": True, "pages": 1, "risks": []}
    ]


def test_a_nofollow_competitor_link_is_a_good_not_best_prospect(client: FlaskClient) -> None:
    html = '<a rel="nofollow" href="https://competitor.com/">c</a>'
    body = save(client, "https://blog.com/a", html, competitors=["competitor.com"])
    assert body["verdict"] == "good"
    assert "(nofollow)" in body["why"]


def test_a_page_linking_to_my_site_says_the_link_is_won(client: FlaskClient) -> None:
    html = '<a href="https://mysite.com/post">me</a>'
    body = save(client, "https://blog.com/a", html, sites=["mysite.com"])
    assert body["links_to_my_site"] is True
    assert body["verdict"] == "won"


def test_a_page_linking_to_me_only_with_comma_joined_nofollow_is_not_won(
    client: FlaskClient,
) -> None:
    # Google reads rel="nofollow,noopener" as nofollow: this link does not count.
    html = (
        '<a href="https://mysite.com/a" rel="nofollow,noopener">a</a>'
        '<a href="https://mysite.com/b" rel="ugc;noopener">b</a>'
        '<a href="https://other.test/" rel="sponsored,nofollow">c</a>'
    )
    body = save(client, "https://blog.com/a", html, sites=["mysite.com"])
    assert body["links_to_my_site"] is True
    assert body["verdict"] == "good"
    assert "not followed" in body["why"]
    assert body["my_sites"] == [{"site": "mysite.com", "followed": False, "pages": 1, "risks": []}]
    outbound = body["pages"][0]["outbound"]
    assert (outbound["nofollow"], outbound["sponsored"], outbound["ugc"]) == (2, 1, 1)
    assert outbound["followed_external"] == 0


def test_a_won_link_on_a_noindex_page_is_won_but_at_risk(client: FlaskClient) -> None:
    html = (
        '<meta name="robots" content="noindex"><link rel="canonical" href="https://blog.com/b">'
        '<a href="https://mysite.com/post">me</a>'
    )
    body = save(client, "https://blog.com/a", html, sites=["mysite.com"])
    assert body["verdict"] == "won"
    assert "at risk: noindex, canonical_elsewhere" in body["why"]
    assert body["pages"][0]["risks"] == ["noindex", "canonical_elsewhere"]
    assert body["my_sites"][0]["risks"] == ["noindex", "canonical_elsewhere"]


def test_pages_of_the_same_site_go_to_one_prospect(client: FlaskClient) -> None:
    first = save(client, "https://blog.com/one", "<title>One</title>")
    second = save(client, "https://news.blog.com/two", "<title>Two</title>")
    again = save(client, "https://blog.com/one#comments", "<title>One, edited</title>")
    assert first["id"] == second["id"] == again["id"]
    assert second["created"] is False
    assert again["page_count"] == 2
    titles = sorted(p["title"] for p in again["pages"])
    assert titles == ["One, edited", "Two"]
    assert again["saved_page"] == first["saved_page"]
    listing = client.get("/api/v1/prospects").get_json()
    assert listing["total"] == 1


def test_saving_again_adds_tags_and_appends_new_notes(client: FlaskClient) -> None:
    save(client, "https://blog.com/one", notes="first", tags=["a"])
    body = save(client, "https://blog.com/two", notes="second", tags=["b", "a"])
    assert body["tags"] == ["a", "b"]
    assert body["notes"] == "first\nsecond"


def test_save_rejects_bad_input_with_json_errors(client: FlaskClient) -> None:
    cases = [
        ({"url": "ftp://x.com/", "html": ""}, "invalid_url"),
        ({"url": "https://x.com/", "html": 3}, "invalid_html"),
        ({"url": "https://x.com/", "html": "", "tags": "a"}, "invalid_tags"),
        ({"url": "https://x.com/", "html": "", "tags": ["x" * 65]}, "invalid_tags"),
        ({"url": "https://x.com/", "html": "", "notes": 5}, "invalid_notes"),
        ({"url": "https://x.com/", "html": "", "competitors": ["not a site!"]}, "invalid_site"),
    ]
    for payload, code in cases:
        response = client.post("/api/v1/prospects", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json()["error"]["code"] == code
    assert client.get("/api/v1/prospects").get_json()["total"] == 0


def test_list_filters_by_status_tag_competitor_and_text(client: FlaskClient) -> None:
    a = save(client, "https://alpha.com/", BLOG, competitors=["competitor.com"], tags=["food"])
    b = save(client, "https://beta.org/", "<title>Roses and tulips</title>", notes="call Ann")
    save(client, "https://gamma.net/", "<title>Gamma</title>", tags=["food"])
    client.patch(f"/api/v1/prospects/{b['id']}", json={"status": "contacted"})

    def domains(query: str) -> list[str]:
        response = client.get(f"/api/v1/prospects?{query}")
        assert response.status_code == 200, response.get_json()
        return sorted(p["domain"] for p in response.get_json()["items"])

    assert domains("status=contacted") == ["beta.org"]
    assert domains("tag=food") == ["alpha.com", "gamma.net"]
    assert domains("tag=FOOD") == ["alpha.com", "gamma.net"]
    assert domains("links_to_competitor=true") == ["alpha.com"]
    assert domains("links_to_competitor=false") == ["beta.org", "gamma.net"]
    assert domains("q=tulips") == ["beta.org"]
    assert domains("q=ann") == ["beta.org"]
    assert domains("q=gamma") == ["gamma.net"]
    assert domains("q=100%25") == []
    assert a["id"] != b["id"]


def test_list_paginates_and_sorts(client: FlaskClient) -> None:
    for name in ["d.com", "a.com", "c.com", "b.com", "e.com"]:
        save(client, f"https://{name}/")
    first = client.get("/api/v1/prospects?sort=domain&per_page=2").get_json()
    second = client.get("/api/v1/prospects?sort=domain&per_page=2&page=2").get_json()
    last = client.get("/api/v1/prospects?sort=domain&per_page=2&page=3").get_json()
    assert first["total"] == 5
    assert [p["domain"] for p in first["items"]] == ["a.com", "b.com"]
    assert [p["domain"] for p in second["items"]] == ["c.com", "d.com"]
    assert [p["domain"] for p in last["items"]] == ["e.com"]
    newest = client.get("/api/v1/prospects?sort=-updated&per_page=1").get_json()
    assert newest["items"][0]["domain"] == "e.com"
    oldest = client.get("/api/v1/prospects?sort=updated&per_page=1").get_json()
    assert oldest["items"][0]["domain"] == "d.com"
    reverse = client.get("/api/v1/prospects?sort=-domain&per_page=1").get_json()
    assert reverse["items"][0]["domain"] == "e.com"


def test_bad_list_parameters_are_400(client: FlaskClient) -> None:
    for query in [
        "status=maybe",
        "sort=color",
        "page=0",
        "page=x",
        "per_page=1000",
        "links_to_competitor=perhaps",
        "per_page=-1",
    ]:
        response = client.get(f"/api/v1/prospects?{query}")
        assert response.status_code == 400, query
        assert "error" in response.get_json()


def test_patch_changes_status_notes_and_replaces_tags(client: FlaskClient) -> None:
    body = save(client, "https://blog.com/", tags=["old", "keep"])
    response = client.patch(
        f"/api/v1/prospects/{body['id']}",
        json={"status": "qualified", "notes": "pitch in May", "tags": ["keep", "new"]},
    )
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["status"] == "qualified"
    assert edited["notes"] == "pitch in May"
    assert edited["tags"] == ["keep", "new"]
    again = client.get(f"/api/v1/prospects/{body['id']}").get_json()
    assert again["tags"] == ["keep", "new"]
    assert again["status"] == "qualified"


def test_patch_rejects_bad_values_and_changes_nothing(client: FlaskClient) -> None:
    body = save(client, "https://blog.com/", notes="keep me")
    url = f"/api/v1/prospects/{body['id']}"
    for payload, code in [
        ({"status": "done"}, "invalid_status"),
        ({"status": 1}, "invalid_status"),
        ({"notes": ["x"]}, "invalid_notes"),
        ({"tags": "x"}, "invalid_tags"),
        ({"tags": ["x" * 65]}, "invalid_tags"),
        ({"domain": "evil.com"}, "invalid_field"),
        ({"notes": "x" * 20_001}, "invalid_notes"),
    ]:
        response = client.patch(url, json=payload)
        assert response.status_code == 400, payload
        assert response.get_json()["error"]["code"] == code
    stored = client.get(url).get_json()
    assert stored["notes"] == "keep me"
    assert stored["status"] == "new"
    assert client.patch(url, data="x", content_type="text/plain").status_code == 415


def test_unknown_prospect_is_a_json_404(client: FlaskClient) -> None:
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)("/api/v1/prospects/999", json={})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_delete_removes_the_prospect_and_its_pages(client: FlaskClient) -> None:
    body = save(client, "https://blog.com/a", tags=["x"])
    assert client.delete(f"/api/v1/prospects/{body['id']}").status_code == 204
    assert client.get(f"/api/v1/prospects/{body['id']}").status_code == 404
    assert client.get("/api/v1/prospects?tag=x").get_json()["total"] == 0
    again = save(client, "https://blog.com/b")
    assert again["created"] is True
    assert again["page_count"] == 1


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_lists_prospects_and_defuses_formulas(client: FlaskClient) -> None:
    save(client, "https://blog.com/", BLOG, competitors=["competitor.com"], notes="=HYPERLINK(1)")
    save(client, "https://other.org/", notes="+1", tags=["@home"])
    response = client.get("/api/v1/prospects.csv?sort=domain")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data(as_text=True))
    assert [r["domain"] for r in rows] == ["blog.com", "other.org"]
    assert rows[0]["notes"] == "'=HYPERLINK(1)"
    assert rows[0]["emails"] == "editor@blog.com"
    assert rows[0]["competitors_linked"] == "competitor.com (followed)"
    assert rows[0]["verdict"] == "best"
    assert rows[1]["notes"] == "'+1"
    assert rows[1]["tags"] == "'@home"


def test_csv_export_honours_filters(client: FlaskClient) -> None:
    save(client, "https://blog.com/", tags=["a"])
    save(client, "https://other.org/")
    rows = read_csv(client.get("/api/v1/prospects.csv?tag=a").get_data(as_text=True))
    assert [r["domain"] for r in rows] == ["blog.com"]
    assert client.get("/api/v1/prospects.csv?status=nope").status_code == 400


def test_csv_import_reports_each_row(client: FlaskClient) -> None:
    save(client, "https://existing.com/")
    text = (
        "url,status,tags,notes\n"
        "https://www.alpha.com/page,qualified,food;travel,hello\n"
        "beta.co.uk,,,\n"
        "not a domain,,,\n"
        "existing.com,,x,\n"
        "ftp://files.example/,,,\n"
        "gamma.net,unknown,,\n"
        "=cmd|' /C calc'!A0,,,\n"
        ",,,\n"
        "alpha.com,,,\n"
    )
    response = client.post("/api/v1/prospects/import", data=text, content_type="text/csv")
    assert response.status_code == 200
    report = response.get_json()
    assert [(r["row"], r["domain"]) for r in report["created"]] == [
        (2, "alpha.com"),
        (3, "beta.co.uk"),
    ]
    assert [(r["row"], r["domain"]) for r in report["existing"]] == [
        (5, "existing.com"),
        (10, "alpha.com"),
    ]
    assert [r["row"] for r in report["errors"]] == [4, 6, 7, 8]
    alpha = client.get(f"/api/v1/prospects/{report['created'][0]['id']}").get_json()
    assert alpha["status"] == "qualified"
    assert alpha["tags"] == ["food", "travel"]
    assert alpha["notes"] == "hello"
    assert client.get("/api/v1/prospects").get_json()["total"] == 3


def test_csv_import_takes_a_multipart_file_without_header(client: FlaskClient) -> None:
    data = {"file": (io.BytesIO(b"\xef\xbb\xbfone.com\ntwo.com\n"), "list.csv")}
    response = client.post(
        "/api/v1/prospects/import", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert [r["domain"] for r in report["created"]] == ["one.com", "two.com"]
    assert report["errors"] == []


def test_csv_import_rejects_what_it_cannot_read(client: FlaskClient) -> None:
    post = client.post
    assert post("/api/v1/prospects/import", data="", content_type="text/csv").status_code == 400
    bad = post("/api/v1/prospects/import", data=b"\xff\xfe", content_type="text/csv")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_encoding"
    assert post("/api/v1/prospects/import", json={"a": 1}).status_code == 415
    missing = post("/api/v1/prospects/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400


def test_the_api_token_guards_prospects_and_backlinks(app: Any) -> None:
    app.config["API_TOKEN"] = "s3cret"
    client = app.test_client()
    for method, path in [
        ("post", "/api/v1/prospects"),
        ("get", "/api/v1/prospects"),
        ("get", "/api/v1/prospects.csv"),
        ("post", "/api/v1/prospects/import"),
        ("post", "/api/v1/backlinks"),
        ("post", "/api/v1/backlinks/1/check"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, path
    authorised = client.get("/api/v1/prospects", headers={"Authorization": "Bearer s3cret"})
    assert authorised.status_code == 200


def test_an_unreachable_database_is_a_503_and_the_next_request_retries(tmp_path: Any) -> None:
    from server import create_app

    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"postgresql://nobody:x@127.0.0.1:{port}/none"}
    )
    app.instance_path = str(tmp_path)
    client = app.test_client()
    for _ in range(2):
        response = client.get("/api/v1/prospects")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
    saved = client.post("/api/v1/prospects", json={"url": "https://a.com/", "html": ""})
    assert saved.status_code == 503
