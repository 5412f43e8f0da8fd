import assert from "node:assert/strict";
import { test } from "node:test";

import { describeCheck, linkedSites } from "./trackBacklink.js";

test("only my sites the page links to are offered, in the order of Options", () => {
  const analysis = {
    sites: {
      matches: [
        { site: "a.example", linked: true, followed: false, links: [3] },
        { site: "b.example", linked: false, followed: false, links: [] },
        { site: "c.example/blog/", linked: true, followed: true, links: [1] },
      ],
    },
  };
  assert.deepEqual(linkedSites(analysis), [
    { site: "a.example", followed: false },
    { site: "c.example/blog/", followed: true },
  ]);
  assert.deepEqual(linkedSites({ sites: { linked: false, matches: [] } }), []);
});

test("each check result reads as a plain sentence", () => {
  assert.deepEqual(describeCheck({ result: "live-followed" }, "a.example"), {
    text: "Checked just now: the link is there and followed.",
    kind: "ok",
  });
  assert.equal(
    describeCheck({ result: "live-nofollow", reasons: ["rel=nofollow", "meta robots: nofollow"] }, "a.example").text,
    "Checked just now: the link is there but not followed (rel=nofollow; meta robots: nofollow).",
  );
  assert.deepEqual(describeCheck({ result: "live-followed", risks: ["noindex", "canonical_elsewhere"] }, "a.example"), {
    text: "Checked just now: the link is there and followed, but at risk: noindex page, canonical is another URL.",
    kind: "info",
  });
  const missing = describeCheck({ result: "missing", reasons: [] }, "a.example");
  assert.equal(
    missing.text,
    "Checked just now: the page as the server fetches it has no link to a.example. " +
      "A link added by a script, or shown only to signed-in visitors, is not in it.",
  );
  assert.equal(missing.kind, "error");
  assert.equal(
    describeCheck({ result: "missing", reasons: [], rendered: true }, "a.example").text,
    "Checked just now: the page, as the server fetches it and rendered in Chromium, has no link to a.example. " +
      "A link shown only to signed-in visitors is not in it.",
  );
  assert.equal(
    describeCheck(
      { result: "missing", reasons: [], rendered: false, render_note: "not rendered: no Chromium is installed" },
      "a.example",
    ).text,
    "Checked just now: the page as the server fetches it has no link to a.example. " +
      "A link added by a script, or shown only to signed-in visitors, is not in it; " +
      "not rendered: no Chromium is installed.",
  );
  assert.equal(
    describeCheck(
      { result: "error", http_status: 403, error: { code: "http_status", message: "the server answered 403" } },
      "a.example",
    ).text,
    "Checked just now: the server could not fetch the page (HTTP 403): the server answered 403.",
  );
  assert.equal(describeCheck(undefined, "a.example").text, "The server has not checked it yet.");
});
