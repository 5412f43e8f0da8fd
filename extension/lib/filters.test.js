import assert from "node:assert/strict";
import { test } from "node:test";
import { sortLinks } from "./columns.js";
import { addFilter, countLinks, filters, matchesFilter, matchesSearch, matchIndex, visibleLinks } from "./filters.js";

const link = (index, over = {}) => ({
  index, text: `link ${index}`, image_alt: null, href: `https://h${index}.example/`, host: `h${index}.example`,
  rel: [], rel_raw: null, follow: true, nofollow_reasons: [], kind: "external", position: "main", warnings: [], risks: [], ...over,
});

const analysis = {
  links: [
    link(0, { kind: "internal", host: "me.example", href: "https://me.example/a" }),
    link(1, { rel: ["nofollow"], rel_raw: "nofollow", follow: false, nofollow_reasons: ["rel=nofollow"], risks: ["hidden"] }),
    link(2, { rel: ["sponsored,nofollow"], rel_raw: "sponsored,nofollow", follow: false, nofollow_reasons: ["rel=sponsored", "rel=nofollow"] }),
    link(3, { rel: ["ugc"], rel_raw: "ugc", follow: false, nofollow_reasons: ["rel=ugc"], text: "Forum thread", risks: ["in_frame", "script_only"] }),
    link(4, { text: "", image_alt: "Logo of Mine" }),
    link(5, { kind: "other", scheme: "mailto", href: "mailto:x@y.example", host: null, follow: false }),
  ],
  sites: { linked: true, followed: true, links: [4] },
  competitors: [{ site: "r.example", linked: true, followed: false, links: [1] }, { site: "s.example", linked: true, followed: false, links: [2] }],
};
const marks = matchIndex(analysis);
const ids = (filter) => analysis.links.filter((l) => matchesFilter(l, filter, marks)).map((l) => l.index);

test("each chip selects its links", () => {
  assert.deepEqual(ids("all"), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(ids("external"), [1, 2, 3, 4]);
  assert.deepEqual(ids("followed"), [4]);
  assert.deepEqual(ids("other"), [5]);
  assert.deepEqual(ids("nofollow"), [1, 2, 3]);
  assert.deepEqual(ids("sponsored"), [2]);
  assert.deepEqual(ids("ugc"), [3]);
  assert.deepEqual(ids("internal"), [0]);
  assert.deepEqual(ids("my-site"), [4]);
  assert.deepEqual(ids("competitors"), [1, 2]);
  assert.deepEqual(ids("at-risk"), [1, 3]);
  assert.deepEqual(ids("risk:hidden"), [1]);
  assert.deepEqual(ids("risk:script_only"), [3]);
  assert.deepEqual(ids("risk:in_frame"), [3]);
});

test("a comma-joined rel=\"sponsored,nofollow\" is sponsored, as Google reads it", () => {
  assert.ok(matchesFilter(analysis.links[2], "sponsored", marks));
  assert.deepEqual(analysis.links[2].rel, ["sponsored,nofollow"]);
});

test("page-wide risks get no chip of their own; link risks do, shown only when some link has them", () => {
  const ids = filters().map((f) => f.id);
  assert.ok(!ids.includes("risk:noindex") && !ids.includes("risk:robots_txt_disallowed"));
  assert.ok(filters().find((f) => f.id === "risk:hidden").optional);
  assert.ok(!filters().find((f) => f.id === "nofollow").optional);
});

test("a feature module can add a chip, counted like the others", () => {
  addFilter({ id: "test-long-anchor", label: "Long anchor", test: (l) => (l.text ?? "").length > 6, optional: true });
  assert.throws(() => addFilter({ id: "test-long-anchor", label: "again", test: () => true }), /exists/);
  const { counts, links } = visibleLinks(analysis, { filter: "test-long-anchor" });
  assert.deepEqual(links.map((l) => l.index), [3]);
  assert.equal(counts["test-long-anchor"], 1);
  assert.equal(filters().at(-1).label, "Long anchor");
});

test("an unknown chip is a programming error", () => {
  assert.throws(() => matchesFilter(analysis.links[0], "bogus", marks), /unknown filter/);
});

test("search needs every word, case-insensitively, across text, alt, URL and rel", () => {
  assert.ok(matchesSearch(analysis.links[4], "logo MINE"));
  assert.ok(matchesSearch(analysis.links[3], "forum ugc"));
  assert.ok(!matchesSearch(analysis.links[3], "forum sponsored"));
  assert.ok(matchesSearch(analysis.links[1], "   "));
});

test("sorting is stable and reversible", () => {
  const byStatus = sortLinks(analysis.links, "status").map((l) => l.index);
  assert.deepEqual(byStatus, [0, 4, 1, 2, 3, 5]);
  const byAnchorDesc = sortLinks(analysis.links, "anchor", "desc").map((l) => l.index);
  assert.deepEqual(byAnchorDesc, [4, 5, 2, 1, 0, 3]); // "logo of mine" (alt) ... "forum thread"
  assert.throws(() => sortLinks(analysis.links, "nope"), /unknown sort column/);
});

test("the summary counts add up: all = internal + external + other, external = followed + nofollow", () => {
  const counts = countLinks(analysis.links, marks);
  assert.equal(counts.all, counts.internal + counts.external + counts.other);
  assert.equal(counts.external, counts.followed + counts.nofollow);
  assert.deepEqual(
    filters().filter((f) => f.group === "summary").map((f) => f.stat),
    ["total", "internal", "external", "other", "followed_external", "nofollow_external", "sponsored", "ugc"],
  );
});

test("search counts every chip under the query, word by word", () => {
  const many = Array.from({ length: 50 }, (_, i) => link(i, { text: `anchor ${i}` }));
  const counts = countLinks(many, matchIndex({ links: many }), "ANCHOR 4");
  assert.equal(counts.all, 14); // a 4 in the text or the URL: 4, 14, 24, 34, 40..49
  assert.deepEqual(visibleLinks({ links: many }, { query: "anchor 49" }).links.map((l) => l.index), [49]);
});

test("visible links apply search, chip and sort, and count every chip under the search", () => {
  const { links, counts } = visibleLinks(analysis, { filter: "nofollow", query: "example", column: "index", direction: "desc" });
  assert.deepEqual(links.map((l) => l.index), [3, 2, 1]);
  assert.equal(counts.all, 6);
  assert.equal(counts.nofollow, 3);
  assert.equal(counts["my-site"], 1);
});
