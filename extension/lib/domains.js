// The by-domain view: one row per linked domain (its links, how many followed and not, the
// first anchor), as link builders make of a crawler's export. Pure: links in, rows out.
import { anchorLabel } from "./urlDisplay.js";

/** The group a link belongs to: its registrable domain, or its scheme for mailto:, tel:... */
export function domainOf(link) {
  if (link.domain) return link.domain;
  if (link.host) return link.host;
  return link.scheme ? `${link.scheme}:` : "(no address)";
}

/**
 * [{domain, kind, links, count, followed, nofollow, anchor}] for the links given (already
 * filtered and searched), in the order of each domain's first link. followed and nofollow count
 * web links only: a mailto: is neither.
 */
export function groupByDomain(links) {
  const groups = new Map();
  for (const link of links) {
    const domain = domainOf(link);
    let group = groups.get(domain);
    if (!group) {
      group = { domain, kind: link.kind, links: [], count: 0, followed: 0, nofollow: 0, anchor: anchorLabel(link).label };
      groups.set(domain, group);
    }
    group.links.push(link);
    group.count += 1;
    if (link.kind !== "other") {
      if (link.follow) group.followed += 1;
      else group.nofollow += 1;
    }
  }
  return [...groups.values()];
}

const KEYS = {
  domain: (g) => g.domain,
  count: (g) => -g.count,
  followed: (g) => -g.followed,
  nofollow: (g) => -g.nofollow,
  anchor: (g) => g.anchor.toLowerCase(),
};

/** The domain view's sortable columns. */
export const DOMAIN_COLUMNS = Object.freeze(Object.keys(KEYS));

/** Groups sorted on a column (stable); "asc" on a count means most first. */
export function sortGroups(groups, column = "count", direction = "asc") {
  const key = KEYS[column];
  if (!key) throw new Error(`unknown domain column ${column}`);
  const sign = direction === "desc" ? -1 : 1;
  return groups
    .map((group, order) => ({ group, order, value: key(group) }))
    .sort((a, b) => (a.value < b.value ? -sign : a.value > b.value ? sign : a.order - b.order))
    .map((entry) => entry.group);
}

/** The rows to show: each group, followed by its links when it is expanded. */
export function domainRows(groups, expanded) {
  const rows = [];
  for (const group of groups) {
    rows.push({ type: "domain", group });
    if (expanded.has(group.domain)) for (const link of group.links) rows.push({ type: "link", link, group });
  }
  return rows;
}
