import assert from "node:assert/strict";
import { test } from "node:test";
import { LINK_FIELDS, linksFromRows, pageFields } from "./api.js";

test("the page goes to the server with its live links, frames and served HTML, in the contract's fields", () => {
  const page = {
    url: "https://a.example/",
    html: "<a href=/x>x</a>",
    charset: "windows-1252",
    contentType: "text/html",
    live_links: [{ href: "https://a.example/x", hidden: false, shadow: true }],
    served_html: "<p>served</p>",
    headers: { "X-Robots-Tag": "noindex" },
    frames: [
      { frameId: 4, url: "about:srcdoc", html: "<a href=y>y</a>", charset: "UTF-8", contentType: "text/html",
        live_links: [{ href: "https://a.example/y", hidden: true, shadow: false }], parent: null, hidden: false },
    ],
  };
  assert.deepEqual(pageFields(page), {
    url: "https://a.example/",
    html: "<a href=/x>x</a>",
    charset: "windows-1252",
    live_links: [{ href: "https://a.example/x", hidden: false }],
    served_html: "<p>served</p>",
    headers: { "X-Robots-Tag": "noindex" },
    frames: [{ url: "about:srcdoc", html: "<a href=y>y</a>", charset: "UTF-8", live_links: [{ href: "https://a.example/y", hidden: true }], parent: null }],
  });
});

test("what the extension could not get is left out rather than sent empty", () => {
  assert.deepEqual(pageFields({ url: "https://a.example/", html: "", charset: "", served_html: null, headers: {}, frames: [] }), {
    url: "https://a.example/",
    html: "",
    charset: undefined,
  });
});

test("links sent as arrays become objects again, with the fields the server named", () => {
  const rows = [[0, "https://a.example/", true], [1, "mailto:x@y.example", false]];
  assert.deepEqual(linksFromRows(rows, ["index", "href", "follow"]), [
    { index: 0, href: "https://a.example/", follow: true },
    { index: 1, href: "mailto:x@y.example", follow: false },
  ]);
  // What the popup asks for covers every field it reads.
  for (const field of ["href", "follow", "nofollow_reasons", "risks", "frame", "shadow", "hidden", "origin", "domain"]) {
    assert.ok(LINK_FIELDS.includes(field), field);
  }
});
