import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_BODY_CHARS, MAX_FRAMES, assembleFrames, linkPlaces, originPattern, servedFits, unreadOrigins, withLiveFacts } from "./frames.js";

const doc = (url, path, children = [], links = [{ href: `${url}#a`, hidden: false, shadow: false }], over = {}) => ({
  url, html: `<a href="#a">${url}</a>`, charset: "UTF-8", contentType: "text/html", path, live_links: links, children, ...over,
});
const child = (i, src, over = {}) => ({ i, k: `1/${i}`, src, hidden: false, shadow: false, ...over });

test("frames come in pre-order with the index of the document that holds them", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "https://a.example/f1"), child(1, "about:srcdoc")]) },
    { frameId: 9, result: doc("about:srcdoc", ["i1"]) },
    { frameId: 4, result: doc("https://a.example/f1", ["i0"], [child(0, "https://b.example/inner")]) },
    { frameId: 7, result: doc("https://b.example/inner", ["i0", "i0"]) },
  ];
  const { top, frames, unread, skipped } = assembleFrames(results);
  assert.equal(top.url, "https://a.example/");
  assert.deepEqual(frames.map((f) => [f.url, f.parent, f.frameId]), [
    ["https://a.example/f1", null, 4],
    ["https://b.example/inner", 0, 7],
    ["about:srcdoc", null, 9],
  ]);
  assert.deepEqual(unread, []);
  assert.equal(skipped, 0);
});

test("a frame the extension could not read is counted with the origin to ask for", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "https://ads.example:8443/slot?x=1"), child(1, "https://a.example/ok")]) },
    { frameId: 3, result: doc("https://a.example/ok", ["i1"]) },
    { frameId: 5, error: "Cannot access contents of the page" },
  ];
  const { frames, unread } = assembleFrames(results);
  assert.deepEqual(frames.map((f) => f.url), ["https://a.example/ok"]);
  assert.deepEqual(unread, [{ src: "https://ads.example:8443/slot?x=1", origin: "https://ads.example/*" }]);
  assert.deepEqual(unreadOrigins([...unread, ...unread, { src: "about:srcdoc", origin: null }]), ["https://ads.example/*"]);
});

test("a frame inside a shadow tree is found by its place in the parent's DOM", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(null, "https://a.example/in-shadow", { k: "1/2/#0/3", shadow: true })]) },
    { frameId: 2, result: doc("https://a.example/in-shadow", ["k1/2/#0/3"]) },
  ];
  assert.deepEqual(assembleFrames(results).frames.map((f) => [f.url, f.parent]), [["https://a.example/in-shadow", null]]);
});

test("the links of a frame that is hidden on the page are hidden, however they look inside it", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "https://a.example/f", { hidden: true })]) },
    { frameId: 1, result: doc("https://a.example/f", ["i0"], [child(0, "https://a.example/g")]) },
    { frameId: 2, result: doc("https://a.example/g", ["i0", "i0"]) },
  ];
  const { frames } = assembleFrames(results);
  assert.deepEqual(frames.map((f) => f.live_links.map((l) => l.hidden)), [[true], [true]]);
  assert.deepEqual(frames.map((f) => f.hidden), [true, true]);
});

test("empty about:blank frames and documents that are not HTML are left out, not counted unread", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "about:blank"), child(1, "https://a.example/file.pdf")]) },
    { frameId: 1, result: doc("about:blank", ["i0"], [], []) },
    { frameId: 2, result: doc("https://a.example/file.pdf", ["i1"], [], [], { contentType: "application/pdf" }) },
  ];
  const { frames, unread, skipped } = assembleFrames(results);
  assert.deepEqual([frames, unread, skipped], [[], [], 0]);
});

test("a frame whose place is unknown goes under the top page and is not also counted unread", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(null, "https://b.example/x", { k: "9/9", shadow: true })]) },
    { frameId: 6, result: doc("https://b.example/x", null) },
  ];
  const { frames, unread } = assembleFrames(results);
  assert.deepEqual(frames.map((f) => [f.url, f.parent]), [["https://b.example/x", null]]);
  assert.deepEqual(unread, []);
});

test("a frame added after its parent was read still goes under that parent", () => {
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "https://a.example/f")]) },
    { frameId: 1, result: doc("https://a.example/f", ["i0"], []) },
    { frameId: 2, result: doc("https://a.example/late", ["i0", "i0"]) },
  ];
  assert.deepEqual(assembleFrames(results).frames.map((f) => [f.url, f.parent]), [
    ["https://a.example/f", null],
    ["https://a.example/late", 0],
  ]);
});

test("no more than MAX_FRAMES frames are sent; the rest are counted as skipped", () => {
  const children = Array.from({ length: MAX_FRAMES + 5 }, (_, i) => child(i, `https://a.example/f${i}`));
  const results = [
    { frameId: 0, result: doc("https://a.example/", [], children) },
    ...children.map((c, i) => ({ frameId: i + 1, result: doc(c.src, [`i${i}`]) })),
  ];
  const { frames, skipped } = assembleFrames(results);
  assert.equal(frames.length, MAX_FRAMES);
  assert.equal(skipped, 5);
});

test("without the top document's answer there is nothing to analyse", () => {
  assert.throws(() => assembleFrames([{ frameId: 0, error: "blocked" }]), /did not answer/);
});

test("origin patterns exist for http(s) frames only and carry no port", () => {
  assert.equal(originPattern("http://localhost:8000/a"), "http://localhost/*");
  assert.equal(originPattern("about:srcdoc"), null);
  assert.equal(originPattern("data:text/html,x"), null);
  assert.equal(originPattern("not a url"), null);
});

test("each link is placed in its frame, frames sharing a URL told apart by their link counts", () => {
  const frames = [
    { frameId: 4, url: "about:srcdoc" },
    { frameId: 8, url: "about:srcdoc" },
    { frameId: 9, url: "https://b.example/" },
  ];
  const analysis = {
    page: { frames: [{ links: 1 }, { links: 2 }, { links: 1 }] },
    links: [
      { frame_url: null }, { frame_url: "about:srcdoc" }, { frame_url: "about:srcdoc" }, { frame_url: null },
      { frame_url: "about:srcdoc" }, { frame_url: "https://b.example/" }, { frame_url: "https://gone.example/" },
    ],
  };
  assert.deepEqual(linkPlaces(analysis, frames), [
    { frameId: 0, index: 0 }, { frameId: 4, index: 0 }, { frameId: 8, index: 0 }, { frameId: 0, index: 1 },
    { frameId: 8, index: 1 }, { frameId: 9, index: 0 }, { frameId: null, index: -1 },
  ]);
});

test("a link's frame index, when the server gives it, places it directly", () => {
  const frames = [{ frameId: 4, url: "about:srcdoc" }, { frameId: 8, url: "about:srcdoc" }];
  const analysis = { links: [{ frame: null, frame_url: null }, { frame: 1, frame_url: "about:srcdoc" }, { frame: 1, frame_url: "about:srcdoc" }, { frame: 0, frame_url: "about:srcdoc" }, { frame: 7, frame_url: "x" }] };
  assert.deepEqual(linkPlaces(analysis, frames), [
    { frameId: 0, index: 0 }, { frameId: 8, index: 0 }, { frameId: 8, index: 1 }, { frameId: 4, index: 0 }, { frameId: null, index: -1 },
  ]);
});

test("live links sent as one JSON string are read as the list they stand for", () => {
  const top = doc("https://a.example/", [], [child(0, "https://a.example/f")]);
  const frame = doc("https://a.example/f", ["i0"]);
  const results = [
    { frameId: 0, result: { ...top, live_links: JSON.stringify(top.live_links) } },
    { frameId: 1, result: { ...frame, live_links: JSON.stringify([{ href: "https://a.example/x", hidden: true }]) } },
  ];
  const { top: page, frames } = assembleFrames(results);
  assert.deepEqual(page.live_links, top.live_links);
  assert.deepEqual(frames[0].live_links, [{ href: "https://a.example/x", hidden: true }]);
  assert.equal(typeof results[0].result.live_links, "string", "the answer it was given is left as it was");
});

test("the served HTML goes along only while the request stays under the server's default limit", () => {
  assert.ok(servedFits(1_000_000, 1_000_000));
  assert.ok(!servedFits(MAX_BODY_CHARS - 10, 11));
});

test("the second read brings each document's live links and whether its frames can be seen", () => {
  const first = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "https://a.example/f")], null, { link_count: 1 }) },
    { frameId: 3, result: doc("https://a.example/f", ["i0"], [], null, { link_count: 1 }) },
  ];
  const before = assembleFrames(first);
  assert.equal(before.top.live_links, null);
  assert.deepEqual(before.frames.map((f) => f.live_links), [null]);
  const second = [
    { frameId: 0, result: { live_links: JSON.stringify([{ href: "https://a.example/#a", hidden: false }]), frames_hidden: [true] } },
    { frameId: 3, result: { live_links: JSON.stringify([{ href: "https://a.example/f#a", hidden: false }]), frames_hidden: [] } },
  ];
  const { top, frames } = assembleFrames(withLiveFacts(first, second));
  assert.deepEqual(top.live_links, [{ href: "https://a.example/#a", hidden: false }]);
  // The frame is hidden on the page: so are its links, however they look inside it.
  assert.deepEqual(frames[0].live_links, [{ href: "https://a.example/f#a", hidden: true }]);
});

test("an about:blank frame holding links is sent before its live links are known", () => {
  const first = [
    { frameId: 0, result: doc("https://a.example/", [], [child(0, "about:blank")], null, { link_count: 0 }) },
    { frameId: 4, result: doc("about:blank", ["i0"], [], null, { link_count: 2 }) },
  ];
  assert.equal(assembleFrames(first).frames.length, 1);
});
