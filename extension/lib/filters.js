// Which links the table shows: filter chips, the search box, and the sort (lib/columns.js).
// A feature module adds a chip with addFilter() (e.g. "Broken" once links are checked).
import { sortLinks } from "./columns.js";
import { RISKS, pageRisks } from "./risks.js";
import { isSponsored, isUgc } from "./status.js";

const registry = [];

/**
 * Add a chip: {id, label, test(link, context) → bool, group?, optional?, title?, stat?}.
 * context: {marks: matchIndex(analysis)}. group: "summary" (the counts across the top, which
 * add up), "match" (my sites, competitors), "risk", or "extra" (a feature's). An optional chip
 * is shown only when some link passes it. stat: the name tests and users know the count by.
 */
export function addFilter(filter) {
  if (registry.some((f) => f.id === filter.id)) throw new Error(`filter ${filter.id} exists`);
  registry.push(Object.freeze({ optional: false, group: "extra", ...filter }));
}

/** The chips, in display order. */
export function filters() {
  return registry;
}

const external = (link) => link.kind === "external";

// The summary counts add up: All = Internal + External + Other, and
// External = Followed ext. + Nofollow ext. Sponsored and UGC are links Google reads so.
addFilter({ id: "all", label: "All", stat: "total", group: "summary", test: () => true });
addFilter({ id: "internal", label: "Internal", stat: "internal", group: "summary", test: (l) => l.kind === "internal" });
addFilter({ id: "external", label: "External", stat: "external", group: "summary", test: external });
addFilter({
  id: "other",
  label: "Other",
  title: "Not web links: mailto:, tel:, javascript:, this page's own fragments",
  stat: "other",
  group: "summary",
  test: (l) => l.kind !== "internal" && l.kind !== "external",
});
addFilter({
  id: "followed",
  label: "Followed ext.",
  title: "External links search engines follow",
  stat: "followed_external",
  group: "summary",
  test: (l) => external(l) && l.follow === true,
});
addFilter({
  id: "nofollow",
  label: "Nofollow ext.",
  title: "External links search engines do not follow (rel nofollow, sponsored, ugc, or robots)",
  stat: "nofollow_external",
  group: "summary",
  test: (l) => external(l) && l.follow === false,
});
addFilter({ id: "sponsored", label: "Sponsored", title: "rel=sponsored, as Google reads rel", stat: "sponsored", group: "summary", test: isSponsored });
addFilter({ id: "ugc", label: "UGC", title: "rel=ugc, as Google reads rel", stat: "ugc", group: "summary", test: isUgc });
addFilter({ id: "my-site", label: "My site", group: "match", test: (l, c) => c.marks.mySite.has(l.index) });
addFilter({ id: "competitors", label: "Competitors", group: "match", test: (l, c) => c.marks.competitors.has(l.index) });
addFilter({
  id: "at-risk",
  label: "At risk",
  title: "Links a search engine may not count (robots.txt, noindex, canonical, frame, hidden, script)",
  group: "risk",
  test: (l) => (l.risks ?? []).length > 0,
  optional: true,
});
for (const [code, risk] of Object.entries(RISKS)) {
  if (risk.page) continue; // every link of the page has it: the banner says so
  addFilter({
    id: `risk:${code}`,
    label: risk.label,
    title: risk.sentence,
    group: "risk",
    test: (l) => (l.risks ?? []).includes(code),
    optional: true,
  });
}

/** Link indices that point to my sites and to competitors, and the top page's risks. */
export function matchIndex(analysis) {
  const mySite = new Set(analysis.sites?.links ?? []);
  const competitors = new Set();
  for (const entry of analysis.competitors ?? []) {
    for (const index of entry.links) competitors.add(index);
  }
  return { mySite, competitors, pageRisks: pageRisks(analysis) };
}

/** Whether a link passes a filter chip. */
export function matchesFilter(link, filterId, marks) {
  const filter = registry.find((f) => f.id === filterId);
  if (!filter) throw new Error(`unknown filter ${filterId}`);
  return filter.test(link, { marks });
}

// Each link's lowercased search text, made once: typing in the search box on a 5,000-link
// page must not rebuild 5,000 strings per key.
const haystacks = new WeakMap();

function haystackOf(link) {
  let text = haystacks.get(link);
  if (text === undefined) {
    text = [link.text, link.image_alt, link.href, link.rel_raw, link.position].filter(Boolean).join(" ").toLowerCase();
    haystacks.set(link, text);
  }
  return text;
}

/** Whether a link matches every word of the search box (text, alt, URL, rel). */
export function matchesSearch(link, query) {
  const words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = haystackOf(link);
  return words.every((word) => haystack.includes(word));
}

/** How many links each chip holds under the search (the counts across the top). */
export function countLinks(links, marks, query = "") {
  const context = { marks };
  const counts = Object.fromEntries(registry.map((f) => [f.id, 0]));
  const words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
  for (const link of links) {
    if (words.length && !words.every((word) => haystackOf(link).includes(word))) continue;
    for (const f of registry) if (f.test(link, context)) counts[f.id] += 1;
  }
  return counts;
}

/**
 * The links to show, and how many each chip would show (unless counts: false — they change
 * with the search only, not with the chip or the sort).
 */
export function visibleLinks(
  analysis,
  { filter = "all", query = "", column = "index", direction = "asc" } = {},
  marks = matchIndex(analysis),
  { counts = true } = {},
) {
  const context = { marks };
  const active = registry.find((f) => f.id === filter) ?? registry[0];
  const words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
  const shown = [];
  for (const link of analysis.links) {
    if (words.length && !words.every((word) => haystackOf(link).includes(word))) continue;
    if (active.test(link, context)) shown.push(link);
  }
  const sorted = column === "index" && direction === "asc" ? shown : sortLinks(shown, column, direction);
  return { links: sorted, counts: counts ? countLinks(analysis.links, marks, query) : null };
}
