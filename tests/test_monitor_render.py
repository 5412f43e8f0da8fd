"""Rendered checks in Debian's headless Chromium: a link a script adds is found
(`live-followed`, risk `script_only`) where the served HTML has none; every request the
page makes goes through the server's fetcher and its SSRF rules; a page that never ends is
cut at the time limit; and with no Chromium installed the check says so plainly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from simulated_web import SimulatedWeb

from server import create_app
from server.render import RenderError, RenderSettings, find_chromium, get_renderer

CHROMIUM = find_chromium(None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="scripts/test installs chromium")

ADDS_LINK = (
    "document.querySelector('main').insertAdjacentHTML('beforeend',"
    " '<p>Thanks to <a href=\"https://mysite.com/guide\">my guide</a></p>');"
)
PAGE = (
    "<!doctype html><title>Post</title><main><p>Hello</p></main>"
    '<script src="/html/app.js"></script>'
)


@pytest.fixture(scope="module")
def web() -> Iterator[SimulatedWeb]:
    with SimulatedWeb(2, delay=0.0) as simulated:
        simulated.hosts[0].page("/html/app.js", ADDS_LINK)
        simulated.hosts[0].page("/html/post", PAGE)
        yield simulated


def monitor_app(tmp_path: Any, **config: Any) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/m.sqlite3",
            "ALLOW_PRIVATE_FETCH": True,
            "MONITOR_CONFIRM_SECONDS": 0,
            **config,
        }
    )
    app.instance_path = str(tmp_path)
    return app


def check(app: Flask, url: str) -> Any:
    client = app.test_client()
    created = client.post("/api/v1/backlinks", json={"source_url": url, "target": "mysite.com"})
    response = client.post(f"/api/v1/backlinks/{created.get_json()['id']}/check")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_link_added_by_script_is_found_by_the_rendered_check(
    tmp_path: Any, web: SimulatedWeb
) -> None:
    app = monitor_app(tmp_path, RENDER="auto")
    body = check(app, web.hosts[0].url("/html/post"))
    assert body["last_result"] == "live-followed"
    assert body["last_risks"] == ["script_only"]
    assert body["check"]["rendered"] is True
    assert body["check"]["links"][0]["href"] == "https://mysite.com/guide"
    assert body["check"]["links"][0]["origin"] == "script"
    # The page's script was fetched by the server's client, once; the document was not
    # fetched again for the render.
    assert web.hosts[0].times("/html/app.js", "GET") >= 1
    assert web.hosts[0].times("/html/post", "GET") == 1
    evidence = app.test_client().get(f"/api/v1/evidence/{body['check']['evidence_id']}")
    assert evidence.get_json()["rendered"] is True
    assert "my guide" in evidence.get_json()["link_html"][0]


def test_with_rendering_off_the_same_link_is_missing(tmp_path: Any, web: SimulatedWeb) -> None:
    app = monitor_app(tmp_path, RENDER="never")
    body = check(app, web.hosts[0].url("/html/post"))
    assert body["last_result"] == "missing"
    assert body["check"]["rendered"] is False


def test_without_chromium_the_check_says_plainly_it_could_not_render(
    tmp_path: Any, web: SimulatedWeb
) -> None:
    app = monitor_app(tmp_path, RENDER="auto", CHROMIUM_PATH="/nonexistent/chromium")
    body = check(app, web.hosts[0].url("/html/post"))
    assert body["last_result"] == "missing"
    assert "no Chromium is installed" in body["check"]["render_note"]
    page = app.test_client().get(f"/backlinks/{body['id']}")
    assert b"no Chromium is installed" in page.data


def test_every_request_of_a_rendered_page_obeys_the_fetchers_address_rules(
    web: SimulatedWeb,
) -> None:
    inside = web.hosts[1]
    assert CHROMIUM is not None
    renderer = get_renderer(RenderSettings(CHROMIUM, 1, 10.0, allow_private=False))
    html = (
        "<main>x</main>"
        f'<script src="{inside.url("/html/inside.js")}"></script>'
        f'<link rel="stylesheet" href="{inside.url("/html/inside.css")}">'
        f'<iframe src="{inside.url("/html/frame")}"></iframe>'
        f'<script>fetch("{inside.url("/html/xhr")}"); new Image().src = "{inside.url("/html/px")}";'
        f'try {{ new WebSocket("ws://{inside.address}:{inside.port}/ws") }} catch (e) {{}}</script>'
    )
    page = renderer.render("https://public.example/post", html, ())
    assert page.refused >= 3
    assert sum(inside.seen.values()) == 0  # nothing on the private network was reached


def test_a_page_that_never_finishes_is_cut_at_the_time_limit(web: SimulatedWeb) -> None:
    assert CHROMIUM is not None
    renderer = get_renderer(RenderSettings(CHROMIUM, 1, 2.0, allow_private=True))
    with pytest.raises(RenderError) as caught:
        renderer.render(web.hosts[0].url("/html/spin"), "<script>while (true) {}</script>", ())
    assert caught.value.code == "timeout"
    # The pool still works after a page was cut off.
    page = renderer.render(web.hosts[0].url("/html/post"), PAGE, ())
    assert [href for href, _hidden in page.live_links] == ["https://mysite.com/guide"]


def test_an_idle_pool_closes_chromium_and_starts_it_again_when_needed(web: SimulatedWeb) -> None:
    import time

    assert CHROMIUM is not None
    renderer = get_renderer(RenderSettings(CHROMIUM, 1, 10.0, allow_private=True, idle_close=0.5))
    renderer.render(web.hosts[0].url("/html/post"), PAGE, ())
    assert renderer.running() and renderer.memory()["processes"] > 1
    for _ in range(60):
        if not renderer.running():
            break
        time.sleep(0.1)
    assert not renderer.running()
    page = renderer.render(web.hosts[0].url("/html/post"), PAGE, ())
    assert [href for href, _hidden in page.live_links] == ["https://mysite.com/guide"]
