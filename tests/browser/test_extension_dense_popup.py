"""The popup at a browser popup's largest size (800x600), on a 5,000-link page: every row
reachable by scrolling, sort, filter, search, the by-domain view, the keyboard, and a layout
where nothing is cut off without a way to read it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.harness import Browser, LoopbackServer, all_rows, table_rows
from tests.browser.test_extension_popup import api_analysis

POPUP = (800, 600)


def open_dense(ext: Browser, page_server: LoopbackServer) -> tuple[Page, Page]:
    page = ext.open(f"{page_server.url}/dense.html")
    return page, ext.popup(page, size=POPUP)


def destination_key(link: dict[str, Any]) -> str:
    return f"{link['host'] or ''}{link['href']}".lower()


def test_every_row_of_a_5000_link_page_is_reachable_by_scrolling_and_few_are_in_the_dom(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page, popup = open_dense(ext, page_server)
    expected = api_analysis(api_server, page)["links"]
    assert len(expected) == 5000
    assert popup.get_attribute("#link-rows", "data-complete") == "true"
    assert popup.get_attribute("#links", "aria-rowcount") == "5001"
    assert popup.locator("#link-rows tr").count() < 100  # windowed: the DOM stays small
    rows = all_rows(popup)
    assert [r["href"] for r in rows] == [link["href"] for link in expected]
    assert [r["follow"] for r in rows] == [str(link["follow"]).lower() for link in expected]
    assert [r["index"] for r in rows] == [str(link["index"]) for link in expected]
    # The last link is on screen once scrolled to the bottom, below the header.
    popup.eval_on_selector("#table-scroll", "el => { el.scrollTop = el.scrollHeight; }")
    last = popup.locator(f"tr[data-index='{expected[-1]['index']}']")
    last.wait_for()
    box, scroller = last.bounding_box(), popup.locator("#table-scroll").bounding_box()
    assert box and scroller and box["y"] + box["height"] <= scroller["y"] + scroller["height"] + 1


def test_sort_filter_and_search_apply_to_all_5000_links(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page, popup = open_dense(ext, page_server)
    links = api_analysis(api_server, page)["links"]
    popup.click("th[data-sort=destination]")
    by_destination = sorted(links, key=destination_key)  # stable: ties keep page order
    assert [href for href, _ in table_rows(popup)] == [x["href"] for x in by_destination]
    assert popup.get_attribute("th[data-sort=destination]", "aria-sort") == "ascending"
    popup.click("th[data-sort=destination]")
    assert popup.get_attribute("th[data-sort=destination]", "aria-sort") == "descending"
    descending = sorted(links, key=destination_key, reverse=True)
    assert [href for href, _ in table_rows(popup)][:50] == [x["href"] for x in descending][:50]

    popup.click("[data-filter=nofollow]")
    nofollow = [x for x in links if x["kind"] == "external" and not x["follow"]]
    assert sorted(href for href, _ in table_rows(popup)) == sorted(x["href"] for x in nofollow)
    assert popup.text_content("[data-filter=nofollow] .tile-value") == f"{len(nofollow):,}"
    popup.click("[data-filter=all]")

    # (No wait_for_function here: its string predicates are eval'd, which the popup's CSP
    # refuses; locators wait without it.)
    popup.fill("#search", "anchor 2499")
    popup.wait_for_selector("#links[aria-rowcount='2']", state="attached")
    assert table_rows(popup) == [["https://host20.example/p/2499", "true"]]
    assert popup.text_content("[data-filter=all] .tile-value") == "1"
    popup.fill("#search", "")
    expect(popup.locator("[data-filter=all] .tile-value")).to_have_text("5,000")


def test_the_counts_add_up_and_each_count_is_its_filter(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer
) -> None:
    page, popup = open_dense(ext, page_server)
    answer = api_analysis(api_server, page)
    count = {
        stat: int(popup.text_content(f"[data-stat={stat}] .tile-value").replace(",", ""))
        for stat in ("total", "internal", "external", "other", "followed_external")
        + ("nofollow_external", "sponsored", "ugc")
    }
    assert count["total"] == count["internal"] + count["external"] + count["other"]
    assert count["external"] == count["followed_external"] + count["nofollow_external"]
    assert count["followed_external"] == answer["summary"]["followed_external"]
    assert count["sponsored"] == answer["summary"]["sponsored"]
    assert count["ugc"] == answer["summary"]["ugc"]
    for stat in count:
        popup.click(f"[data-stat={stat}]")
        assert popup.get_attribute("#links", "aria-rowcount") == str(count[stat] + 1), stat


def test_the_by_domain_view_has_one_row_per_domain_and_opens_to_its_links(
    ext: Browser, page_server: LoopbackServer, api_server: LoopbackServer, artifacts: Path
) -> None:
    page, popup = open_dense(ext, page_server)
    links = api_analysis(api_server, page)["links"]
    per_domain = Counter(x["domain"] for x in links)
    followed = Counter(x["domain"] for x in links if x["follow"])
    popup.click("#view-domains")
    rows = all_rows(popup)
    assert {r["domain"]: int(r["links"]) for r in rows} == dict(per_domain)
    # Most links first.
    assert [int(r["links"]) for r in rows] == sorted((int(r["links"]) for r in rows), reverse=True)
    top = rows[0]["domain"]
    cells = popup.locator(f"tr[data-domain='{top}'] td").all_inner_texts()
    assert [c.strip() for c in cells[1:3]] == [f"{per_domain[top]:,}", f"{followed[top]:,}"]
    popup.click(f"tr[data-domain='{top}']")
    assert popup.get_attribute(f"tr[data-domain='{top}']", "aria-expanded") == "true"
    shown = [r["href"] for r in all_rows(popup) if r["href"]]
    assert shown == [x["href"] for x in links if x["domain"] == top]
    popup.screenshot(path=artifacts / "popup-by-domain.png")
    popup.click("th[data-sort=domain]")
    names = [r["domain"] for r in all_rows(popup) if r["domain"]]
    assert names == sorted(names)
    popup.click("#view-links")
    assert popup.get_attribute("#links", "aria-rowcount") == "5001"


def test_the_keyboard_moves_through_the_rows_and_enter_goes_to_the_link(
    ext: Browser, page_server: LoopbackServer
) -> None:
    page = ext.open(f"{page_server.url}/links.html")
    popup = ext.popup(page, size=POPUP)
    popup.focus("#link-rows tr[data-position='0']")
    popup.keyboard.press("End")
    focused = "document.activeElement.dataset.href"
    assert popup.evaluate(focused) == "https://twitter.example/garden"
    popup.keyboard.press("ArrowUp")
    popup.keyboard.press("ArrowUp")
    assert popup.evaluate(focused) == "https://far.example/deep"
    assert popup.evaluate("document.activeElement.getAttribute('aria-rowindex')") == "14"
    popup.keyboard.press("Enter")
    page.wait_for_function("window.scrollY > 500")
    popup.keyboard.press("Home")
    assert popup.evaluate("document.activeElement.dataset.index") == "0"
    popup.focus("th[data-sort=anchor]")
    popup.keyboard.press("Enter")
    assert popup.get_attribute("th[data-sort=anchor]", "aria-sort") == "ascending"


# What the user cannot read at 800x600: an element whose text is cut (wider than its box)
# with no tooltip, in a cell or box, that holds that text.
CUT_WITHOUT_TOOLTIP = """() => {
  const cut = [];
  const boxes = "th, td, .tile, .chip, .banner, .match-card, .verdict, .match-title, .note, button";
  const flat = (text) => text.replace(/\\s+/g, " ").trim();
  for (const el of document.querySelectorAll(boxes)) {
    const r = el.getBoundingClientRect();
    const shown = r.width > 0 && r.bottom > 0 && r.top < innerHeight;
    if (!shown || el.scrollWidth <= el.clientWidth + 1) continue;
    const tip = flat(el.closest("[title]")?.title ?? "");
    const words = flat(el.innerText).replace(/…$/, "").split(" ");
    if (!words.every((word) => tip.includes(word))) cut.push(el.outerHTML.slice(0, 160));
  }
  return cut;
}"""

SCROLLERS = """() => [...document.querySelectorAll("*")].filter((el) => {
  const style = getComputedStyle(el);
  const scrolls = /(auto|scroll)/.test(style.overflowY + style.overflowX);
  const over = el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  return scrolls && over;
}).map((el) => el.id || el.className)"""

FULL_ROWS = """() => {
  const area = document.getElementById("table-scroll").getBoundingClientRect();
  const head = document.querySelector("#links thead th").getBoundingClientRect();
  return [...document.querySelectorAll("#link-rows tr")].filter((tr) => {
    const r = tr.getBoundingClientRect();
    return r.top >= head.bottom - 1 && r.bottom <= area.bottom + 1;
  }).length;
}"""


def check_layout(popup: Page) -> None:
    assert popup.evaluate("document.documentElement.scrollWidth") <= POPUP[0]
    assert popup.evaluate("document.documentElement.scrollHeight") <= POPUP[1]
    assert popup.evaluate(SCROLLERS) == ["table-scroll"], "one scroll container: the table's"
    assert popup.evaluate(FULL_ROWS) >= 12
    assert popup.evaluate(CUT_WITHOUT_TOOLTIP) == []


def test_at_800x600_one_scroll_container_a_sticky_header_twelve_rows_and_nothing_cut_unreadably(
    ext: Browser, page_server: LoopbackServer, unread_server: LoopbackServer, artifacts: Path
) -> None:
    page, popup = open_dense(ext, page_server)
    check_layout(popup)
    popup.screenshot(path=artifacts / "popup-800x600-dense.png")
    popup.eval_on_selector("#table-scroll", "el => { el.scrollTop = 40000; }")
    popup.wait_for_timeout(50)
    head = popup.locator("#links thead th").first.bounding_box()
    scroller = popup.locator("#table-scroll").bounding_box()
    assert head and scroller and abs(head["y"] - scroller["y"]) <= 2, "the header stays in view"
    check_layout(popup)

    # With banners (a frame not read) and the sites' verdicts: still twelve rows.
    port = page_server.url.rsplit(":", 1)[1]
    busy = ext.open(
        f"{page_server.url}/every-link/index.html"
        f"?other=http://localhost:{port}&unread={unread_server.url}"
    )
    busy.wait_for_selector("#added", state="attached")
    popup = ext.popup(busy, size=POPUP)
    popup.wait_for_selector("[data-banner=unread-frames]")
    check_layout(popup)
    popup.screenshot(path=artifacts / "popup-800x600-every-link.png")
