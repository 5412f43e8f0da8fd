"""What a check finds on a loopback web: the source page's indexability as risks, each
kind of placement drift against the agreement or the first placement seen, confirmed
before it counts and alerted once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import PageServer
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.monitor.drift import Agreement, Placement, drift

pytestmark = pytest.mark.databases


@pytest.fixture
def monitor_app(tmp_path: Any, database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ALLOW_PRIVATE_FETCH": True,
            "MONITOR_CONFIRM_SECONDS": 0,
            "RENDER": "never",
        }
    )
    app.instance_path = str(tmp_path)
    yield app
    app.extensions["linkinspector.store"].engine.dispose()


def track(client: FlaskClient, url: str, **terms: Any) -> int:
    body = {"source_url": url, "target": "mysite.com", **terms}
    response = client.post("/api/v1/backlinks", json=body)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def check(client: FlaskClient, backlink_id: int) -> Any:
    response = client.post(f"/api/v1/backlinks/{backlink_id}/check")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_noindex_source_page_is_live_but_at_risk(
    monitor_app: Flask, page_server: PageServer
) -> None:
    client = monitor_app.test_client()
    url = page_server.page(
        "/post", '<meta name="robots" content="noindex"><a href="https://mysite.com/">me</a>'
    )
    body = check(client, track(client, url))
    assert body["last_result"] == "live-followed"
    assert body["last_risks"] == ["noindex"]
    header = page_server.page(
        "/header", '<a href="https://mysite.com/">me</a>', headers=[("X-Robots-Tag", "noindex")]
    )
    assert check(client, track(client, header))["last_risks"] == ["noindex"]
    canonical = page_server.page(
        "/copy",
        '<link rel="canonical" href="https://elsewhere.example/original">'
        '<a href="https://mysite.com/">me</a>',
    )
    assert check(client, track(client, canonical))["last_risks"] == ["canonical_elsewhere"]
    listed = client.get("/api/v1/backlinks?show=at_risk").get_json()
    assert listed["total"] == 3


def test_a_source_page_disallowed_by_robots_txt_is_at_risk(
    monitor_app: Flask, page_server: PageServer
) -> None:
    monitor_app.config["ROBOTS_TXT"] = True
    monitor_app.extensions.pop("linkinspector.monitor_settings", None)
    page_server.page("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    client = monitor_app.test_client()
    url = page_server.page("/private/post", '<a href="https://mysite.com/">me</a>')
    body = check(client, track(client, url))
    assert body["last_result"] == "live-followed"
    assert body["last_risks"] == ["robots_txt_disallowed"]


def test_a_page_that_becomes_noindex_is_confirmed_then_alerted_at_risk(
    monitor_app: Flask, page_server: PageServer
) -> None:
    client = monitor_app.test_client()
    link = '<a href="https://mysite.com/">me</a>'
    backlink_id = track(client, page_server.page("/post", link))
    check(client, backlink_id)
    page_server.page("/post", '<meta name="robots" content="noindex">' + link)
    first = check(client, backlink_id)
    assert first["last_risks"] == [] and first["check"]["confirmation"] == "pending"
    second = check(client, backlink_id)
    assert second["last_risks"] == ["noindex"]
    alerts = client.get("/api/v1/alerts").get_json()["items"]
    assert [(a["kind"], a["details"]["items"]) for a in alerts] == [("at_risk", ["noindex"])]


PAGE = """<header><a href="https://mysite.com/">My site</a></header>
<main><p>{before}<a href="{href}" {rel}>{anchor}</a>{after}</p></main>
<footer>{footer}</footer>"""
LINK = {
    "before": "See ",
    "href": "https://mysite.com/guide",
    "rel": "",
    "anchor": "the best guide",
    "after": "",
    "footer": "",
}
FOOTER_ONLY = (
    "<header></header><main><p>Nothing here.</p></main>"
    '<footer><a href="https://mysite.com/guide">the best guide</a></footer>'
)


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("anchor_changed", {"anchor": "click here"}),
        ("rel_changed", {"rel": 'rel="sponsored"'}),
        ("target_changed", {"href": "https://mysite.com/"}),
        ("duplicated", {"after": ' and <a href="https://mysite.com/guide">again</a>'}),
    ],
)
def test_each_kind_of_drift_against_the_agreement_is_confirmed_then_alerted(
    monitor_app: Flask, page_server: PageServer, kind: str, change: dict[str, str]
) -> None:
    client = monitor_app.test_client()
    url = page_server.page("/post", PAGE.format(**LINK))
    backlink_id = track(
        client,
        url,
        agreed_url="https://mysite.com/guide",
        agreed_anchor="The best  guide",
        agreed_rel="followed",
    )
    first = check(client, backlink_id)
    assert first["last_drift"] == []
    assert first["placement"]["position"] == "main" and first["placement"]["count"] == 2
    page_server.page("/post", PAGE.format(**{**LINK, **change}))
    assert check(client, backlink_id)["check"]["confirmation"] == "pending"
    confirmed = check(client, backlink_id)
    assert kind in confirmed["last_drift"]
    alerts = client.get("/api/v1/alerts").get_json()["items"]
    assert [a["kind"] for a in alerts] == ["drift"]
    assert kind in alerts[0]["details"]["items"]
    assert alerts[0]["details"]["drift_text"]
    listed = client.get("/api/v1/backlinks?show=drift").get_json()
    assert [b["id"] for b in listed["items"]] == [backlink_id]


def test_a_link_moved_from_the_article_to_the_footer_and_one_removed_are_drift(
    monitor_app: Flask, page_server: PageServer
) -> None:
    client = monitor_app.test_client()
    backlink_id = track(client, page_server.page("/post", PAGE.format(**LINK)))
    check(client, backlink_id)
    page_server.page("/post", FOOTER_ONLY)
    check(client, backlink_id)
    moved = check(client, backlink_id)
    assert set(moved["last_drift"]) == {"moved", "removed"}
    (alert,) = client.get("/api/v1/alerts").get_json()["items"]
    assert "the link moved from main to footer" in alert["details"]["drift_text"]
    # Accepting the new placement clears the drift and makes it the reference.
    accepted = client.patch(f"/api/v1/backlinks/{backlink_id}", json={"accept_placement": True})
    assert accepted.status_code == 200
    assert accepted.get_json()["last_drift"] == []
    assert accepted.get_json()["placement"]["position"] == "footer"
    assert check(client, backlink_id)["last_drift"] == []


def test_a_link_that_returns_to_its_agreement_is_recovered() -> None:
    agreement = Agreement("https://mysite.com/guide", "the best guide", "followed")
    link = {
        "href": "https://mysite.com/guide",
        "text": "The best guide",
        "follow": True,
        "nofollow_reasons": [],
        "position": "main",
    }
    assert drift([link], agreement, None) == ()
    sponsored = {**link, "follow": False, "nofollow_reasons": ["rel=sponsored"]}
    assert drift([sponsored], agreement, None) == ("rel_changed",)
    assert drift([sponsored], Agreement(rel="sponsored"), None) == ()
    baseline = Placement("https://mysite.com/guide", "The best guide", "followed", "main", 1)
    assert drift([link], Agreement(), baseline) == ()
    assert drift([], agreement, baseline) == ()  # no link: that is lost, not drift


def test_the_placement_is_the_link_first_seen_even_when_another_link_is_better() -> None:
    """A site-wide footer link stays followed while the article's link turns sponsored: the
    article's link is the placement, so that is rel_changed, not a new link in the footer."""
    article = {
        "href": "https://mysite.com/guide",
        "text": "the best guide",
        "follow": True,
        "nofollow_reasons": [],
        "position": "main",
    }
    footer = {**article, "href": "https://mysite.com/", "text": "home", "position": "footer"}
    baseline = Placement("https://mysite.com/guide", "the best guide", "followed", "main", 2)
    sponsored = {**article, "follow": False, "nofollow_reasons": ["rel=sponsored"]}
    assert drift([footer, sponsored], Agreement(), baseline) == ("rel_changed",)
    assert drift([footer, article], Agreement(), baseline) == ()
