import assert from "node:assert/strict";
import { test } from "node:test";
import { anchorLabel, displayDestination, truncateMiddle } from "./urlDisplay.js";

test("short text is kept; long text loses its middle", () => {
  assert.equal(truncateMiddle("short", 10), "short");
  const cut = truncateMiddle("abcdefghijklmnopqrstuvwxyz", 10);
  assert.equal(cut.length, 10);
  assert.ok(cut.startsWith("abcdef") && cut.endsWith("xyz") && cut.includes("…"));
});

test("web links show host and decoded path with query", () => {
  const link = { scheme: "https", href: "https://xn--bcher-kva.example:8443/caf%C3%A9/?q=1#top" };
  assert.deepEqual(displayDestination(link), { host: "xn--bcher-kva.example:8443", path: "/café/?q=1#top" });
});

test("undecodable percent-escapes are shown as they are", () => {
  assert.deepEqual(displayDestination({ scheme: "https", href: "https://a.example/%E0%A4%A" }), { host: "a.example", path: "/%E0%A4%A" });
});

test("other schemes show the scheme as the host", () => {
  assert.deepEqual(displayDestination({ scheme: "mailto", href: "mailto:x@y.example" }), { host: "mailto:", path: "x@y.example" });
  assert.deepEqual(displayDestination({ scheme: "javascript", href: "javascript:alert(1)" }), { host: "javascript:", path: "alert(1)" });
});

test("anchor is the text, else the image alt, else a placeholder", () => {
  assert.deepEqual(anchorLabel({ text: "  Hello \n world ", image_alt: "x" }), { label: "Hello world", kind: "text" });
  assert.deepEqual(anchorLabel({ text: "", image_alt: "Logo" }), { label: "Logo", kind: "image" });
  assert.deepEqual(anchorLabel({ text: "", image_alt: null, tag: "a" }), { label: "(no text)", kind: "empty" });
  assert.deepEqual(anchorLabel({ text: "", image_alt: "", tag: "area" }), { label: "(image map area)", kind: "empty" });
});
