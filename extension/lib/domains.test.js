import assert from "node:assert/strict";
import { test } from "node:test";
import { domainOf, domainRows, groupByDomain, sortGroups } from "./domains.js";

const link = (index, domain, over = {}) => ({
  index, text: `anchor ${index}`, image_alt: null, href: `https://www.${domain}/${index}`, host: `www.${domain}`, domain,
  scheme: "https", kind: "external", follow: true, ...over,
});
const links = [
  link(0, "a.example", { kind: "internal" }),
  link(1, "b.example", { follow: false }),
  link(2, "b.example"),
  link(3, "c.co.uk", { text: "", image_alt: "Logo" }),
  link(4, "b.example", { follow: false }),
  { index: 5, text: "mail us", href: "mailto:x@a.example", host: null, domain: null, scheme: "mailto", kind: "other", follow: false },
];

test("one row per domain with its links, followed and nofollow counts, and first anchor", () => {
  const groups = groupByDomain(links);
  assert.deepEqual(
    groups.map(({ domain, count, followed, nofollow, anchor }) => [domain, count, followed, nofollow, anchor]),
    [
      ["a.example", 1, 1, 0, "anchor 0"],
      ["b.example", 3, 1, 2, "anchor 1"],
      ["c.co.uk", 1, 1, 0, "Logo"],
      ["mailto:", 1, 0, 0, "mail us"],
    ],
  );
  assert.deepEqual(groups[1].links.map((l) => l.index), [1, 2, 4]);
  assert.equal(domainOf({ scheme: null, href: "x" }), "(no address)");
});

test("groups sort on any column, most links first by default, ties in page order", () => {
  const groups = groupByDomain(links);
  assert.deepEqual(sortGroups(groups).map((g) => g.domain), ["b.example", "a.example", "c.co.uk", "mailto:"]);
  assert.deepEqual(sortGroups(groups, "domain", "desc").map((g) => g.domain), ["mailto:", "c.co.uk", "b.example", "a.example"]);
  assert.deepEqual(sortGroups(groups, "nofollow").map((g) => g.domain)[0], "b.example");
  assert.throws(() => sortGroups(groups, "nope"), /unknown domain column/);
});

test("an expanded domain shows its links right under it", () => {
  const groups = groupByDomain(links);
  const rows = domainRows(groups, new Set(["b.example"]));
  assert.deepEqual(rows.map((r) => (r.type === "domain" ? r.group.domain : r.link.index)), ["a.example", "b.example", 1, 2, 4, "c.co.uk", "mailto:"]);
});
