"""Dashboard pages with Flask's test client: lists, filters, forms, CSRF, login, escaping."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.dashboard.display import ago
from server.dashboard.login import local_path
from server.dashboard.session import KEY_FILE

HOSTILE = "<img src=x onerror=alert(1)>"
BLOG = """<title>Gardening tips</title>
<a href="https://competitor.com/guide">A great guide</a>
<a href="/write-for-us">Write for us</a>
<a href="mailto:editor@blog.com">Email us</a>
<a href="https://twitter.com/blogco">Twitter</a>
"""
TOKEN = "s3cret-token"


def save(client: FlaskClient, url: str, html: str = "<title>T</title>", **extra: Any) -> Any:
    response = client.post("/api/v1/prospects", json={"url": url, "html": html, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def post_form(client: FlaskClient, path: str, data: dict[str, str], *, from_page: str = "/") -> Any:
    """POST a form the way a browser does: with the CSRF token of a page it just loaded."""
    token = csrf_of(page(client, from_page))
    return client.post(path, data={"csrf_token": token, **data})


def rows(html: str) -> list[str]:
    """The domains listed in the prospects table, in order."""
    return re.findall(r'<a class="domain" href="/prospects/\d+">([^<]+)</a>', html)


@pytest.fixture
def seeded(client: FlaskClient) -> dict[str, int]:
    """Three prospects: blog.com (links to a competitor, tagged), news.org, shop.net."""
    blog = save(
        client,
        "https://blog.com/roses",
        BLOG,
        competitors=["competitor.com"],
        tags=["gardening"],
        notes="Pitch in spring",
    )
    news = save(client, "https://news.org/a", "<title>Daily news</title>", tags=["news"])
    shop = save(client, "https://shop.net/", "<title>Shop</title>")
    return {"blog": blog["id"], "news": news["id"], "shop": shop["id"]}


@pytest.mark.databases
def test_the_list_shows_every_prospect_and_hints_at_the_best_ones(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    html = page(client, "/")
    assert sorted(rows(html)) == ["blog.com", "news.org", "shop.net"]
    assert "1 site links to your competitors" in html
    assert "Best prospect" in html
    assert "competitor.com <small>followed</small>" in html
    assert "Write for us" in html
    assert 'href="/prospects.csv"' in html


@pytest.mark.databases
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=new", ["blog.com", "news.org", "shop.net"]),
        ("status=won", []),
        ("tag=gardening", ["blog.com"]),
        ("tag=News", ["news.org"]),
        ("links_to_competitor=true", ["blog.com"]),
        ("links_to_competitor=false", ["news.org", "shop.net"]),
        ("q=daily", ["news.org"]),
        ("q=spring", ["blog.com"]),
        ("q=SHOP.NET", ["shop.net"]),
    ],
)
def test_filters_narrow_the_list(
    client: FlaskClient, seeded: dict[str, int], query: str, expected: list[str]
) -> None:
    html = page(client, f"/?{query}")
    assert sorted(rows(html)) == expected
    if not expected:
        assert "No prospect matches these filters" in html


@pytest.mark.databases
def test_the_list_sorts_and_pages(client: FlaskClient, seeded: dict[str, int]) -> None:
    assert rows(page(client, "/?sort=domain")) == ["blog.com", "news.org", "shop.net"]
    assert rows(page(client, "/?sort=-domain")) == ["shop.net", "news.org", "blog.com"]
    first = page(client, "/?sort=domain&per_page=2")
    assert rows(first) == ["blog.com", "news.org"]
    assert "1–2 of 3" in first
    assert 'href="/?sort=domain&amp;per_page=2&amp;page=2"' in first
    second = page(client, "/?sort=domain&per_page=2&page=2")
    assert rows(second) == ["shop.net"]
    assert "3–3 of 3" in second


def test_a_bad_filter_value_is_a_400_page_not_a_500(client: FlaskClient) -> None:
    for query in ("status=bogus", "sort=nope", "page=0", "links_to_competitor=maybe"):
        response = client.get(f"/?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "text/html"
        assert "Bad request" in response.get_data(as_text=True)


@pytest.mark.databases
def test_an_inline_status_change_is_saved_and_returns_to_the_list(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    pid = seeded["news"]
    response = post_form(
        client,
        f"/prospects/{pid}",
        {"status": "contacted", "next": f"/?status=new#prospect-{pid}"},
        from_page="/?status=new",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/?status=new#prospect-{pid}"
    assert client.get(f"/api/v1/prospects/{pid}").get_json()["status"] == "contacted"
    html = page(client, "/?status=new")
    assert "news.org: status set to Contacted." in html
    assert sorted(rows(html)) == ["blog.com", "shop.net"]
    assert rows(page(client, "/?status=contacted")) == ["news.org"]


def test_an_invalid_status_is_refused_with_a_message_and_nothing_changes(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    pid = seeded["shop"]
    response = post_form(client, f"/prospects/{pid}", {"status": "bribed", "next": "/"})
    assert response.status_code == 303
    assert "Status must be one of" in page(client, "/")
    assert client.get(f"/api/v1/prospects/{pid}").get_json()["status"] == "new"


def test_notes_edited_in_the_list_are_saved(client: FlaskClient, seeded: dict[str, int]) -> None:
    pid = seeded["blog"]
    response = post_form(
        client, f"/prospects/{pid}", {"notes": "Editor: Ann\r\nReply by May", "next": "/"}
    )
    assert response.status_code == 303
    body = client.get(f"/api/v1/prospects/{pid}").get_json()
    assert body["notes"] == "Editor: Ann\nReply by May"
    assert body["status"] == "new"  # a notes-only form leaves the status alone
    assert "Editor: Ann" in page(client, "/")


def test_the_prospect_page_edits_status_tags_and_notes_together(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    pid = seeded["blog"]
    path = f"/prospects/{pid}"
    response = post_form(
        client,
        path,
        {"status": "qualified", "tags": "Gardening, outreach ; q3", "notes": "ok"},
        from_page=path,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == path
    body = client.get(f"/api/v1/prospects/{pid}").get_json()
    assert (body["status"], body["tags"], body["notes"]) == (
        "qualified",
        ["gardening", "outreach", "q3"],
        "ok",
    )
    html = page(client, path)
    assert 'value="gardening, outreach, q3"' in html


def test_the_prospect_page_shows_its_pages_and_signals(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    save(client, "https://blog.com/tulips", "<title>Tulips</title>", competitors=["competitor.com"])
    html = page(client, f"/prospects/{seeded['blog']}")
    assert "Gardening tips" in html and "Tulips" in html
    assert 'href="https://blog.com/roses"' in html
    assert 'href="mailto:editor@blog.com"' in html
    assert 'href="https://blog.com/write-for-us"' in html
    assert 'href="https://twitter.com/blogco"' in html
    assert "Links to competitor competitor.com (followed)" in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert 'Pages seen <span class="count">2</span>' in html


def test_deleting_a_prospect_needs_a_post_and_removes_it(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    pid = seeded["shop"]
    assert client.get(f"/prospects/{pid}/delete").status_code == 405
    response = post_form(client, f"/prospects/{pid}/delete", {}, from_page=f"/prospects/{pid}")
    assert response.status_code == 303
    assert "Deleted the prospect shop.net." in page(client, "/")
    assert client.get(f"/prospects/{pid}").status_code == 404
    assert client.get(f"/api/v1/prospects/{pid}").status_code == 404


@pytest.mark.databases
def test_csv_export_follows_the_filters(client: FlaskClient, seeded: dict[str, int]) -> None:
    html = page(client, "/?tag=gardening&page=1")
    assert 'href="/prospects.csv?tag=gardening"' in html
    response = client.get("/prospects.csv?tag=gardening")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["domain"] for r in table] == ["blog.com"]
    everything = list(csv.DictReader(io.StringIO(client.get("/prospects.csv").get_data(True))))
    assert len(everything) == 3


@pytest.mark.parametrize(
    "path",
    ["/prospects/1", "/prospects/1/delete", "/backlinks", "/backlinks/1/check", "/logout"],
)
def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(
    client: FlaskClient, seeded: dict[str, int], path: str
) -> None:
    page(client, "/")  # the session has a token, the forged form does not
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        response = client.post(path, data={"status": "won", "source_url": "https://x.com/", **data})
        assert response.status_code == 400, (path, data)
        assert response.mimetype == "text/html"
        assert "security token" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/prospects/{seeded['blog']}").get_json()["status"] == "new"
    assert client.get("/api/v1/backlinks").get_json()["total"] == 0


def test_a_post_with_no_session_at_all_is_a_400(app: Flask, seeded: dict[str, int]) -> None:
    fresh = app.test_client()
    response = fresh.post(f"/prospects/{seeded['blog']}", data={"status": "won"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_token_from_another_session_is_refused(app: Flask, seeded: dict[str, int]) -> None:
    alice, mallory = app.test_client(), app.test_client()
    stolen = csrf_of(page(mallory, "/"))
    page(alice, "/")
    response = alice.post(f"/prospects/{seeded['blog']}", data={"csrf_token": stolen})
    assert response.status_code == 400


def test_hostile_page_data_is_escaped_everywhere(
    client: FlaskClient, app: Flask, page_server: PageServer
) -> None:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    evil_title = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    body = save(
        client,
        "https://evil.com/x?q=%22%3E%3Cscript%3E",
        f"<title>{evil_title}</title><a href='mailto:a@evil.com'>m</a>",
        tags=[HOSTILE],
        notes=f'"><script>alert(2)</script>{HOSTILE}',
    )
    pid = body["id"]
    source = page_server.page("/post", f'<a href="https://mysite.com/">{evil_title}</a>')
    backlink = client.post(
        "/api/v1/backlinks", json={"source_url": source, "target": "mysite.com"}
    ).get_json()
    client.post(f"/api/v1/backlinks/{backlink['id']}/check")
    for path in ("/", f"/prospects/{pid}", "/backlinks", f"/backlinks/{backlink['id']}"):
        html = page(client, path)
        assert HOSTILE not in html, path
        assert "<script>" not in html, path
    assert "&lt;img src=x onerror=alert(1)&gt;" in page(client, "/")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page(client, f"/backlinks/{backlink['id']}")


def test_only_http_urls_become_links() -> None:
    from server.dashboard.display import http_href

    assert http_href("https://a.com/") == "https://a.com/"
    assert http_href("HTTP://a.com/") == "HTTP://a.com/"
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "//a.com", None):
        assert http_href(bad) is None


def test_an_unknown_page_is_an_html_404_and_the_api_keeps_json(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not found" in response.get_data(as_text=True)
    missing = client.get("/prospects/12345")
    assert missing.status_code == 404
    assert "No prospect with id 12345." in missing.get_data(as_text=True)
    assert client.get("/backlinks/12345").status_code == 404
    api = client.get("/api/v1/prospects/12345")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/nope").get_json()["error"]["code"] == "not_found"


def test_a_crash_in_a_page_is_an_html_500_without_details(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret detail <b>")

    monkeypatch.setattr("server.dashboard.prospects.list_prospects", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "Server error" in text
    assert "secret detail" not in text


def test_forms_posted_from_the_dashboard_pass_the_origin_guard_others_do_not(
    client: FlaskClient, seeded: dict[str, int]
) -> None:
    token = csrf_of(page(client, "/"))
    path = f"/prospects/{seeded['blog']}"
    own = client.post(
        path, data={"csrf_token": token, "status": "won"}, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 303
    for origin in ("https://evil.example", "null"):
        response = client.post(
            path, data={"csrf_token": token, "status": "rejected"}, headers={"Origin": origin}
        )
        assert response.status_code == 403, origin
        assert response.mimetype == "text/html"
    assert client.get(f"/api/v1/prospects/{seeded['blog']}").get_json()["status"] == "won"
    # `Origin: null` is what Chromium sends under Referrer-Policy: no-referrer; ours is not.
    assert client.get("/").headers["Referrer-Policy"] == "same-origin"


def test_pages_forbid_scripts_and_framing(client: FlaskClient) -> None:
    for path in ("/", "/backlinks", "/prospects.csv"):
        headers = client.get(path).headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_rate_limit_and_database_errors_are_html_pages_here_and_json_in_the_api(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATE_LIMIT": "2/minute"})
    app.instance_path = str(tmp_path)
    client = app.test_client()
    assert client.get("/backlinks").status_code == 200
    assert client.get("/backlinks").status_code == 200
    limited = client.get("/backlinks")
    assert limited.status_code == 429
    assert limited.mimetype == "text/html"
    assert "Retry-After" in limited.headers
    api = client.get("/api/v1/backlinks")
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "too_many_requests"

    def locked(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr("server.dashboard.backlinks.list_backlinks", locked)
    fresh = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": False})
    fresh.instance_path = str(tmp_path)
    down = fresh.test_client().get("/backlinks")
    assert down.status_code == 503
    assert down.mimetype == "text/html"
    assert "The database is unavailable" in down.get_data(as_text=True)
    for made in (app, fresh):
        made.extensions["linkinspector.store"].engine.dispose()


def test_the_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    response = client.get("/backlinks")  # a page with a form: the session holds its token
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("linkinspector_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# --- backlinks -------------------------------------------------------------------------


@pytest.fixture
def fetching(app: Flask) -> Flask:
    app.config["ALLOW_PRIVATE_FETCH"] = True
    return app


@pytest.mark.databases
def test_a_backlink_added_by_form_is_listed_unchecked(client: FlaskClient) -> None:
    response = post_form(
        client,
        "/backlinks",
        {"source_url": "https://blog.com/post", "target": "mysite.com"},
        from_page="/backlinks",
    )
    assert response.status_code == 303
    html = page(client, "/backlinks")
    assert "Tracking the link from https://blog.com/post to mysite.com." in html
    assert 'href="https://blog.com/post"' in html
    assert "Not checked" in html
    again = post_form(
        client,
        "/backlinks",
        {"source_url": "https://blog.com/post", "target": "mysite.com"},
        from_page="/backlinks",
    )
    assert again.status_code == 303
    assert "Already tracked" in page(client, "/backlinks")
    assert client.get("/api/v1/backlinks").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("javascript:alert(1)", "mysite.com", "must use http or https"),
        ("not a url", "mysite.com", "not a valid absolute URL"),
        ("https://blog.com/", "", "Give the target"),
        ("https://blog.com/", "ftp://mysite.com/", "Not tracked"),
    ],
)
def test_a_bad_backlink_form_says_why_and_stores_nothing(
    client: FlaskClient, source: str, target: str, message: str
) -> None:
    response = post_form(
        client, "/backlinks", {"source_url": source, "target": target}, from_page="/backlinks"
    )
    assert response.status_code == 303
    html = page(client, "/backlinks")
    assert "Not tracked" in html and message in html
    assert client.get("/api/v1/backlinks").get_json()["total"] == 0


@pytest.mark.databases
def test_check_now_records_the_state_and_the_history_shows_the_change(
    fetching: Flask, client: FlaskClient, page_server: PageServer
) -> None:
    source = page_server.page("/post", '<a href="https://mysite.com/">my site</a>')
    bid = client.post(
        "/api/v1/backlinks", json={"source_url": source, "target": "mysite.com"}
    ).get_json()["id"]

    first = post_form(
        client,
        f"/backlinks/{bid}/check",
        {"next": f"/backlinks#backlink-{bid}"},
        from_page="/backlinks",
    )
    assert first.status_code == 303
    assert first.headers["Location"] == f"/backlinks#backlink-{bid}"
    listing = page(client, "/backlinks")
    assert "Live · followed" in listing
    assert "no change" in listing

    page_server.page("/post", '<a rel="nofollow sponsored" href="https://mysite.com/">my site</a>')
    second = post_form(client, f"/backlinks/{bid}/check", {}, from_page=f"/backlinks/{bid}")
    assert second.headers["Location"] == f"/backlinks/{bid}"
    # Bad news waits for a re-check before the state changes.
    assert "re-check at" in page(client, "/backlinks?show=pending")
    assert "waiting for its re-check" in page(client, f"/backlinks/{bid}")
    post_form(client, f"/backlinks/{bid}/check", {}, from_page=f"/backlinks/{bid}")
    listing = page(client, "/backlinks?result=live-nofollow")
    assert "Live · nofollow" in listing
    assert "why: rel=nofollow, rel=sponsored" in listing
    assert "Live · followed → Live · nofollow" in listing

    page_server.page("/post", "oops", status=500)
    post_form(client, f"/backlinks/{bid}/check", {}, from_page=f"/backlinks/{bid}")
    post_form(client, f"/backlinks/{bid}/check", {}, from_page=f"/backlinks/{bid}")
    history = page(client, f"/backlinks/{bid}")
    assert history.count('class="changed') == 2
    assert "changed from Live · nofollow" in history
    assert "confirmed by the next check" in history
    assert "HTTP 500" in history
    assert "“my site”" in history
    # The first check, and the nofollow news and its confirmation (a 500 has no page to keep).
    assert history.count(">Evidence</a>") == 3
    api = client.get(f"/api/v1/backlinks/{bid}").get_json()
    assert [c["result"] for c in api["history"]] == [
        "error",
        "error",
        "live-nofollow",
        "live-nofollow",
        "live-followed",
    ]


def test_check_now_on_a_blocked_address_records_an_error_without_fetching(
    client: FlaskClient, page_server: PageServer
) -> None:
    source = page_server.page("/post", '<a href="https://mysite.com/">x</a>')
    bid = client.post(
        "/api/v1/backlinks", json={"source_url": source, "target": "mysite.com"}
    ).get_json()["id"]
    response = post_form(client, f"/backlinks/{bid}/check", {}, from_page=f"/backlinks/{bid}")
    assert response.status_code == 303
    assert page_server.hits == []
    html = page(client, f"/backlinks/{bid}")
    assert "Error" in html
    assert client.get(f"/api/v1/backlinks/{bid}").get_json()["last_result"] == "error"


def test_deleting_a_backlink_removes_it_and_its_history(client: FlaskClient) -> None:
    bid = client.post(
        "/api/v1/backlinks", json={"source_url": "https://a.com/p", "target": "mysite.com"}
    ).get_json()["id"]
    response = post_form(client, f"/backlinks/{bid}/delete", {}, from_page=f"/backlinks/{bid}")
    assert response.status_code == 303
    assert "Stopped tracking https://a.com/p." in page(client, "/backlinks")
    assert client.get(f"/backlinks/{bid}").status_code == 404


def test_backlink_filters_reject_unknown_states(client: FlaskClient) -> None:
    assert client.get("/backlinks?result=gone").status_code == 400
    assert client.get("/backlinks?page=x").status_code == 400
    assert "No backlink tracked yet" in page(client, "/backlinks?result=unchecked")


def test_every_list_answers_a_bad_page_number_with_a_400(client: FlaskClient) -> None:
    # "²" is a digit to str.isdigit but not to int(): it must not reach int().
    for path in ("/backlinks", "/alerts", "/jobs"):
        for value in ("x", "0", "²", "1000001"):
            assert client.get(f"{path}?page={value}").status_code == 400, (path, value)
        assert client.get(f"{path}?page=1").status_code == 200, path


# --- login -----------------------------------------------------------------------------


@pytest.fixture
def token_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "API_TOKEN": TOKEN})
    app.instance_path = str(tmp_path)
    yield app
    store = app.extensions.get("linkinspector.store")
    if store is not None:
        store.engine.dispose()


def log_in(client: FlaskClient, password: str, next_path: str = "/") -> Any:
    token = csrf_of(page(client, "/login"))
    return client.post(
        "/login", data={"csrf_token": token, "password": password, "next": next_path}
    )


def test_with_a_token_every_page_asks_for_login(token_app: Flask) -> None:
    client = token_app.test_client()
    for path in ("/", "/prospects/1", "/backlinks", "/backlinks/1", "/prospects.csv"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/?status=new").headers["Location"] == "/login?next=/?status%3Dnew"
    assert client.post("/prospects/1", data={}).headers["Location"] == "/login"
    assert client.get("/api/v1/prospects").status_code == 401
    html = page(client, "/login")
    assert 'type="password"' in html
    assert "Log out" not in html
    assert 'href="/backlinks"' not in html  # no navigation before logging in


def test_logging_in_with_the_token_opens_the_dashboard(token_app: Flask) -> None:
    client = token_app.test_client()
    response = log_in(client, TOKEN, "/backlinks")
    assert response.status_code == 303
    assert response.headers["Location"] == "/backlinks"
    html = page(client, "/backlinks")
    assert "Log out" in html
    # The session cookie does not open the API: it still wants the Bearer token.
    assert client.get("/api/v1/backlinks").status_code == 401


def test_a_wrong_token_is_refused_and_shows_the_form_again(token_app: Flask) -> None:
    client = token_app.test_client()
    for wrong in ("", "s3cret", TOKEN + "x", TOKEN.upper()):
        response = log_in(client, wrong)
        assert response.status_code == 401
        assert "Wrong token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_never_redirects_to_another_site(token_app: Flask) -> None:
    client = token_app.test_client()
    response = log_in(client, TOKEN, "https://evil.com/")
    assert response.headers["Location"] == "/"
    for target in ("//evil.com/", "/\\evil.com", "https://evil.com", "javascript:x", "/ok?a=1"):
        assert local_path(target) == ("/ok?a=1" if target == "/ok?a=1" else None)


def test_logout_ends_the_session(token_app: Flask) -> None:
    client = token_app.test_client()
    log_in(client, TOKEN)
    token = csrf_of(page(client, "/"))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_a_copy_of_the_session_cookie_stops_working_after_logout(token_app: Flask) -> None:
    client = token_app.test_client()
    log_in(client, TOKEN)
    copied = client.get_cookie("linkinspector_session")
    assert copied is not None
    token = csrf_of(page(client, "/"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    thief = token_app.test_client()
    thief.set_cookie("linkinspector_session", copied.value)
    assert thief.get("/").status_code == 302
    assert thief.get("/").headers["Location"].startswith("/login")


def test_logging_out_one_session_keeps_the_others(token_app: Flask) -> None:
    first, second = token_app.test_client(), token_app.test_client()
    log_in(first, TOKEN)
    log_in(second, TOKEN)
    token = csrf_of(page(first, "/"))
    first.post("/logout", data={"csrf_token": token})
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_a_new_token_logs_every_session_out(token_app: Flask) -> None:
    client = token_app.test_client()
    log_in(client, TOKEN)
    assert client.get("/").status_code == 200
    token_app.config["SECRET_KEY"] = token_app.secret_key  # keep the key, change the token
    token_app.config["API_TOKEN"] = "another-token"
    assert client.get("/").status_code == 302


def test_two_workers_with_one_token_accept_each_others_sessions(
    token_app: Flask, tmp_path: Path, database_url: str
) -> None:
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "API_TOKEN": TOKEN})
    other.instance_path = str(tmp_path / "elsewhere")
    client = token_app.test_client()
    log_in(client, TOKEN)
    cookie = client.get_cookie("linkinspector_session")
    assert cookie is not None
    second = other.test_client()
    second.set_cookie("linkinspector_session", cookie.value)
    assert second.get("/").status_code == 200
    other.extensions["linkinspector.store"].engine.dispose()


def test_without_a_token_the_key_is_kept_in_the_instance_folder(
    app: Flask, tmp_path: Path, database_url: str
) -> None:
    client = app.test_client()
    token = csrf_of(page(client, "/backlinks"))
    key_file = tmp_path / KEY_FILE
    assert len(key_file.read_text()) == 64
    assert key_file.stat().st_mode & 0o077 == 0
    # A second worker (same instance folder) reads the same key: the form still posts.
    other = create_app({"TESTING": True, "DATABASE_URL": database_url})
    other.instance_path = str(tmp_path)
    second = other.test_client()
    cookie = client.get_cookie("linkinspector_session")
    assert cookie is not None
    second.set_cookie("linkinspector_session", cookie.value)
    response = second.post("/backlinks", data={"csrf_token": token, "source_url": "", "target": ""})
    assert response.status_code == 303
    assert key_file.read_text() == (tmp_path / KEY_FILE).read_text()


def test_relative_times_read_naturally() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert ago(None) == "never"
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=5), now) == "5 min ago"
    assert ago(now - timedelta(hours=3), now) == "3 h ago"
    assert ago(now - timedelta(days=1), now) == "1 day ago"
    assert ago(now - timedelta(days=12), now) == "12 days ago"
