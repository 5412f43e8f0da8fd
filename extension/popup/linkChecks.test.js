import assert from "node:assert/strict";
import { test } from "node:test";
import { badgeText, checkTargets, progressText, resultsByUrl, withoutFragment } from "./linkChecks.js";

test("only http(s) links are checked, each URL once, fragments dropped", () => {
  const links = [
    { href: "https://a.example/page#top" },
    { href: "https://a.example/page#comments" },
    { href: "mailto:me@a.example" },
    { href: "javascript:void(0)" },
    { href: "HTTP://B.example/" },
    { href: "/relative" },
  ];
  assert.deepEqual(checkTargets(links), ["https://a.example/page", "HTTP://B.example/"]);
  assert.equal(withoutFragment("https://a.example/#x"), "https://a.example/");
});

test("results are found by URL and labelled with their status", () => {
  const map = resultsByUrl([
    { url: "https://a.example/gone", result: "broken", http_status: 404 },
    { url: "https://a.example/slow", result: "timeout", http_status: null },
  ]);
  assert.equal(badgeText(map.get("https://a.example/gone")), "Broken 404");
  assert.equal(badgeText(map.get("https://a.example/slow")), "Timeout");
});

test("the progress line counts the broken links and says when they are an opportunity", () => {
  const running = { kind: "link-check", status: "running", done: 3, total: 10, counts: { ok: 2, broken: 1 } };
  assert.equal(progressText(running), "Checking: 3 of 10 links · 1 broken");
  const done = { ...running, status: "done", done: 10, counts: { ok: 7, broken: 3 } };
  assert.equal(progressText(done), "Checked 10 links · 3 broken · broken-link opportunity");
  const bulk = { kind: "prospect-bulk", status: "done", done: 4, total: 4, counts: { saved: 3, failed: 1 } };
  assert.equal(progressText(bulk), "Qualified 4 pages · 3 saved as prospects, 1 could not be fetched");
});
