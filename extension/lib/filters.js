// Which links the table shows: filter chips, the search box and column sorting. A feature
// module adds a chip with addFilter() (e.g. "Broken" once links are checked).
import { RISKS, pageRisks } from "./risks.js";
import { isSponsored, isUgc } from "./status.js";

const registry = [];

/**
 * Add a chip: {id, label, test(link, context) → bool, optional?, title?}. context:
 * {marks: matchIndex(analysis)}. An optional chip is shown only when some link passes it.
 */
export function addFilter(filter) {
  if (registry.some((f) => f.id === filter.id)) throw new Error(`filter ${filter.id} exists`);
  registry.push(Object.freeze({ optional: false, ...filter }));
}

/** The chips, in display order. */
export function filters() {
  return registry;
}

const web = (link) => link.kind !== "other";

addFilter({ id: "all", label: "All", test: () => true });
addFilter({ id: "external", label: "External", test: (l) => l.kind === "external" });
addFilter({ id: "internal", label: "Internal", test: (l) => l.kind === "internal" });
addFilter({ id: "followed", label: "Followed", test: (l) => l.follow === true && web(l) });
addFilter({ id: "nofollow", label: "Nofollow", test: (l) => l.follow === false && web(l) });
addFilter({ id: "sponsored", label: "Sponsored", test: isSponsored });
addFilter({ id: "ugc", label: "UGC", test: isUgc });
addFilter({ id: "my-site", label: "My site", test: (l, c) => c.marks.mySite.has(l.index) });
addFilter({ id: "competitors", label: "Competitors", test: (l, c) => c.marks.competitors.has(l.index) });
addFilter({
  id: "at-risk",
  label: "At risk",
  title: "Links a search engine may not count (robots.txt, noindex, canonical, frame, hidden, script)",
  test: (l) => (l.risks ?? []).length > 0,
  optional: true,
});
for (const [code, risk] of Object.entries(RISKS)) {
  if (risk.page) continue; // every link of the page has it: the banner says so
  addFilter({ id: `risk:${code}`, label: risk.label, title: risk.sentence, test: (l) => (l.risks ?? []).includes(code), optional: true });
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

/** Whether a link matches every word of the search box (text, alt, URL, rel). */
export function matchesSearch(link, query) {
  const words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [link.text, link.image_alt, link.href, link.rel_raw, link.position]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

const SORT_KEYS = {
  index: (link) => link.index,
  anchor: (link) => (link.text || link.image_alt || "").toLowerCase(),
  destination: (link) => `${link.host ?? ""}${link.href}`.toLowerCase(),
  rel: (link) => link.rel.join(" "),
  status: (link) => (link.follow ? 0 : 1),
  position: (link) => link.position ?? "",
  risks: (link) => -(link.risks ?? []).length,
  warnings: (link) => -link.warnings.length,
};

export const SORTABLE_COLUMNS = Object.freeze(Object.keys(SORT_KEYS));

/** A new array sorted by column (stable; ties keep page order). */
export function sortLinks(links, column, direction = "asc") {
  const key = SORT_KEYS[column];
  if (!key) throw new Error(`unknown sort column ${column}`);
  const sign = direction === "desc" ? -1 : 1;
  return links
    .map((link) => ({ link, value: key(link) }))
    .sort((a, b) => {
      if (a.value < b.value) return -sign;
      if (a.value > b.value) return sign;
      return a.link.index - b.link.index;
    })
    .map((entry) => entry.link);
}

/** The links to show, and how many each chip would show. */
export function visibleLinks(analysis, { filter = "all", query = "", column = "index", direction = "asc" } = {}) {
  const marks = matchIndex(analysis);
  const context = { marks };
  const active = registry.find((f) => f.id === filter) ?? registry[0];
  const counts = Object.fromEntries(registry.map((f) => [f.id, 0]));
  const shown = [];
  for (const link of analysis.links) {
    if (!matchesSearch(link, query)) continue;
    for (const f of registry) if (f.test(link, context)) counts[f.id] += 1;
    if (active.test(link, context)) shown.push(link);
  }
  const sorted = column === "index" && direction === "asc" ? shown : sortLinks(shown, column, direction);
  return { links: sorted, counts };
}
