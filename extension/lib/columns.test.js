import assert from "node:assert/strict";
import { test } from "node:test";
import { addColumn, columns, sortLinks, sortableColumns } from "./columns.js";

const link = (index, over = {}) => ({
  index, text: `link ${index}`, image_alt: null, href: `https://h${index}.example/`, host: `h${index}.example`, scheme: "https",
  rel: [], rel_raw: null, follow: true, nofollow_reasons: [], kind: "external", position: "main", warnings: [], risks: [], ...over,
});
const links = [
  link(0, { kind: "internal" }),
  link(1, { follow: false, nofollow_reasons: ["rel=nofollow"], rel: ["nofollow"], rel_raw: "nofollow" }),
  link(2, { kind: "other", follow: false, scheme: "mailto", href: "mailto:a@b.example", host: null }),
  link(3, { risks: ["hidden", "script_only"], warnings: ["w"] }),
];

test("the table's columns, each with a header, a width and a sort", () => {
  assert.deepEqual(columns().map((c) => c.id), ["index", "anchor", "destination", "rel", "status", "position", "risks", "warnings"]);
  assert.deepEqual(sortableColumns(), columns().map((c) => c.id));
  assert.ok(columns().every((c) => c.width && c.label && typeof c.cell === "function"));
});

test("sorting is stable and reversible; not-web links sort after nofollow", () => {
  assert.deepEqual(sortLinks(links, "status").map((l) => l.index), [0, 3, 1, 2]);
  assert.deepEqual(sortLinks(links, "status", "desc").map((l) => l.index), [2, 1, 0, 3]);
  assert.deepEqual(sortLinks(links, "risks").map((l) => l.index), [3, 0, 1, 2]);
  assert.throws(() => sortLinks(links, "nope"), /unknown sort column/);
});

test("a cell too narrow for its content has the full text as its tooltip", () => {
  const tip = (id, l) => columns().find((c) => c.id === id).tip(l, { marks: { pageRisks: [] } });
  assert.equal(tip("destination", links[0]), "https://h0.example/");
  assert.equal(tip("status", links[1]), "Not followed: rel=nofollow");
  assert.equal(tip("rel", links[1]), 'rel="nofollow"');
  assert.match(tip("risks", links[3]), /hidden from visitors[\s\S]*added by JavaScript/);
});

test("a feature module adds a column where it wants, sortable like the others", () => {
  addColumn({ id: "test-check", label: "Check", width: "60px", sortKey: (l) => l.href.length, cell: () => "" }, { before: "warnings" });
  assert.throws(() => addColumn({ id: "test-check", label: "again", width: "1px", cell: () => "" }), /exists/);
  assert.equal(columns().at(-2).id, "test-check");
  assert.deepEqual(sortLinks(links, "test-check").map((l) => l.index), [2, 0, 1, 3]); // the mailto: is shortest
});
