import assert from "node:assert/strict";
import { test } from "node:test";
import { isSponsored, isUgc, linkStatus } from "./status.js";

const link = (over) => ({ kind: "external", follow: true, rel: [], nofollow_reasons: [], ...over });

test("sponsored and UGC come from how Google reads rel, not from the browser's tokens", () => {
  // rel="sponsored,nofollow": one token for the browser, sponsored and nofollow for Google.
  const comma = link({ rel: ["sponsored,nofollow"], follow: false, nofollow_reasons: ["rel=sponsored", "rel=nofollow"] });
  assert.ok(isSponsored(comma));
  assert.equal(linkStatus(comma), "paid");
  const ugc = link({ rel: ["ugc"], follow: false, nofollow_reasons: ["rel=ugc"] });
  assert.ok(isUgc(ugc) && !isSponsored(ugc));
  // A token the server did not read as sponsored is not sponsored, whatever it looks like.
  assert.equal(linkStatus(link({ rel: ["sponsored;"], follow: true, nofollow_reasons: [] })), "followed");
});

test("each kind of link gets its status", () => {
  assert.equal(linkStatus(link({ kind: "internal" })), "internal");
  assert.equal(linkStatus(link({ kind: "other", follow: false })), "other");
  assert.equal(linkStatus(link({ follow: false, nofollow_reasons: ["meta robots: nofollow"] })), "nofollow");
  assert.equal(linkStatus(link({})), "followed");
});
