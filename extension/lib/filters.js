// Which links the table shows: filter chips, the search box and column sorting.

/** The chips, in display order. */
export const FILTERS = Object.freeze([
  { id: "all", label: "All" },
  { id: "external", label: "External" },
  { id: "followed", label: "Followed" },
  { id: "nofollow", label: "Nofollow" },
  { id: "sponsored", label: "Sponsored" },
  { id: "ugc", label: "UGC" },
  { id: "internal", label: "Internal" },
  { id: "my-site", label: "My site" },
  { id: "competitors", label: "Competitors" },
]);

/** Link indices that point to my sites and to competitors, from the API's answer. */
export function matchIndex(analysis) {
  const mySite = new Set(analysis.sites?.links ?? []);
  const competitors = new Set();
  for (const entry of analysis.competitors ?? []) {
    for (const index of entry.links) competitors.add(index);
  }
  return { mySite, competitors };
}

/** Whether a link passes a filter chip. */
export function matchesFilter(link, filterId, matches) {
  switch (filterId) {
    case "all":
      return true;
    case "external":
      return link.kind === "external";
    case "followed":
      return link.follow === true && link.kind !== "other";
    case "nofollow":
      return link.follow === false && link.kind !== "other";
    case "sponsored":
      return link.rel.includes("sponsored");
    case "ugc":
      return link.rel.includes("ugc");
    case "internal":
      return link.kind === "internal";
    case "my-site":
      return matches.mySite.has(link.index);
    case "competitors":
      return matches.competitors.has(link.index);
    default:
      throw new Error(`unknown filter ${filterId}`);
  }
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
  const matches = matchIndex(analysis);
  const counts = Object.fromEntries(FILTERS.map((f) => [f.id, 0]));
  const shown = [];
  for (const link of analysis.links) {
    const searched = matchesSearch(link, query);
    for (const f of FILTERS) {
      if (searched && matchesFilter(link, f.id, matches)) counts[f.id] += 1;
    }
    if (searched && matchesFilter(link, filter, matches)) shown.push(link);
  }
  const sorted = column === "index" && direction === "asc" ? shown : sortLinks(shown, column, direction);
  return { links: sorted, counts };
}
