// Pure DOM building for the popup: analysis JSON in, elements out. Text only, never HTML.
import { columns } from "../lib/columns.js";
import { el } from "../lib/dom.js";
import { filters } from "../lib/filters.js";
import { pageRisks, riskSentence, riskShort, verdictKind, verdictText } from "../lib/risks.js";
import { STATUS_STYLES, linkStatus } from "../lib/status.js";
import { anchorLabel, displayDestination, truncateMiddle } from "../lib/urlDisplay.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const number = (n) => n.toLocaleString("en-US");

export function banners(analysis) {
  const out = [];
  const robots = analysis.page.robots;
  if (robots.nofollow) {
    const sources = robots.sources.map((s) => `${s.source}: "${s.content}"`).join("; ");
    out.push(
      el("div", { className: "banner danger", dataset: { banner: "robots-nofollow" }, title: sources },
        el("strong", {}, "Every link on this page is nofollow."),
        ` Robots directives tell search engines not to follow any link here (${sources}).`),
    );
  }
  const risks = pageRisks(analysis);
  if (risks.length) out.push(riskBanner(analysis, risks));
  for (const warning of analysis.page.warnings) {
    if (robots.nofollow && /nofollow/i.test(warning)) continue; // said above
    if (risks.includes("robots_txt_disallowed") && /robots\.txt/i.test(warning)) continue;
    if (risks.includes("noindex") && /noindex/i.test(warning)) continue;
    if (risks.includes("canonical_elsewhere") && /canonical/i.test(warning)) continue;
    out.push(el("div", { className: "banner warn", dataset: { banner: "warning" }, title: warning }, warning));
  }
  if (analysis.page.truncated) {
    out.push(el("div", { className: "banner warn" }, "The page has more links than the server's limit; only the first ones are listed."));
  }
  return out;
}

/**
 * What puts every link of this page at risk: one line of short forms, which opens to each
 * risk's plain sentence (with the robots.txt rule, the canonical URL).
 */
function riskBanner(analysis, risks) {
  const items = risks.map((code) => {
    const item = el("li", { dataset: { risk: code } }, riskSentence(code));
    const rt = analysis.page.robots_txt;
    if (code === "robots_txt_disallowed" && rt) {
      item.append(" ", el("span", { className: "muted" }, `(${[rt.rule, rt.url].filter(Boolean).join(" in ")})`));
    }
    if (code === "canonical_elsewhere" && analysis.page.canonical) {
      item.append(" ", el("span", { className: "muted" }, `(${analysis.page.canonical})`));
    }
    return item;
  });
  return el("details", { className: "banner danger", dataset: { banner: "page-risks" } },
    el("summary", {}, el("strong", {}, "Links on this page may not count: "), risks.map(riskShort).join(", ")),
    el("ul", { className: "risk-list" }, items));
}

/**
 * The frames the extension could not read: how many, and a button that asks the browser for
 * access to their sites (onGrant) when there are sites to ask for.
 */
export function unreadFrames(page, origins, onGrant) {
  const count = page.unread.length;
  if (count === 0 && !page.skipped) return null;
  const hosts = origins.map((o) => o.replace(/^https?:\/\/|\/\*$/g, ""));
  const banner = el("div", { className: "banner warn", dataset: { banner: "unread-frames" } });
  if (count > 0) {
    banner.append(`${count} frame${count === 1 ? " was" : "s were"} not read${hosts.length ? ` (${hosts.join(", ")})` : ""}: their links are not listed. `);
    if (origins.length) {
      banner.append(el("button", { type: "button", className: "linklike", id: "grant-frames", onclick: onGrant },
        `Allow reading ${origins.length === 1 ? "this site" : "these sites"} and read again`));
    }
  }
  if (page.skipped) banner.append(` ${page.skipped} more frame${page.skipped === 1 ? " was" : "s were"} left out (over 100 frames or 8 MB).`);
  banner.title = banner.textContent;
  return banner;
}

/**
 * The counts across the top, which are the main filters too (so a count and its filter can
 * never disagree), and the other chips. counts: lib/filters.js countLinks.
 */
export function chips(counts, active, onSelect) {
  const chip = (f) =>
    el("button", {
      type: "button",
      className: `${f.group === "summary" ? "tile" : "chip"}${f.id === active ? " active" : ""}`,
      title: f.title,
      dataset: { filter: f.id, ...(f.stat ? { stat: f.stat } : {}) },
      attrs: { "aria-pressed": String(f.id === active) },
      onclick: () => onSelect(f.id),
    },
    f.group === "summary"
      ? [el("span", { className: "tile-value" }, number(counts[f.id] ?? 0)), el("span", { className: "tile-label" }, f.label)]
      : [f.label, el("span", { className: "chip-count" }, number(counts[f.id] ?? 0))]);
  const shown = filters().filter((f) => !f.optional || counts[f.id] > 0 || f.id === active);
  return {
    tiles: shown.filter((f) => f.group === "summary").map(chip),
    chips: shown.filter((f) => f.group !== "summary").map(chip),
  };
}

function matchLinks(analysis, indices, onLinkClick) {
  const list = el("ul", { className: "match-links" });
  for (const index of indices.slice(0, 5)) {
    const link = analysis.links[index];
    if (!link) continue;
    const { label } = anchorLabel(link);
    const { host, path } = displayDestination(link);
    list.append(
      el("li", {},
        el("button", { type: "button", className: "linklike", title: link.href, onclick: () => onLinkClick(link) },
          el("span", { className: `dot ${linkStatus(link)}` }),
          truncateMiddle(label, 40), " → ", truncateMiddle(host + path, 60)),
        el("span", { className: link.follow ? "pill ok" : "pill no" }, link.follow ? "followed" : "nofollow"),
        link.risks?.length ? el("span", { className: "pill risk", title: link.risks.map(riskSentence).join("\n") }, "at risk") : null),
    );
  }
  if (indices.length > 5) list.append(el("li", { className: "more" }, `and ${indices.length - 5} more (filter "My site"/"Competitors")`));
  return list;
}

function verdict(entry) {
  const title = (entry.risks ?? []).map(riskSentence).join("\n") || undefined;
  return el("span", { className: `verdict ${verdictKind(entry)}`, title }, verdictText(entry));
}

/** One line per site: its verdict in words; it opens to the links (a <details>). */
function matchCard(analysis, entry, title, dataset, onLinkClick) {
  const parts = () => [
    el("span", { className: "match-title", title }, title),
    entry.linked ? el("span", { className: "match-count" }, plural(entry.links.length, "link")) : null,
    verdict(entry),
  ];
  if (!entry.linked) return el("div", { className: "match-card", dataset }, el("div", { className: "match-head" }, parts()));
  return el("details", { className: "match-card", dataset }, el("summary", { className: "match-head" }, parts()),
    matchLinks(analysis, entry.links, onLinkClick));
}

export function matches(analysis, settings, onLinkClick, onOpenOptions) {
  const out = [];
  if (!settings.sites.length) {
    out.push(el("div", { className: "match-card", dataset: { match: "my-site" } },
      el("div", { className: "match-head" }, el("span", { className: "match-title" }, "Links to your site"),
        el("span", { className: "hint" }, "add your sites in ",
          el("button", { type: "button", className: "linklike", onclick: onOpenOptions }, "Options")))));
  } else {
    out.push(matchCard(analysis, analysis.sites, "Links to your site", { match: "my-site" }, onLinkClick));
  }
  if (analysis.competitors.length) out.push(el("span", { className: "matches-label" }, "Competitors:"));
  for (const entry of analysis.competitors) {
    out.push(matchCard(analysis, entry, entry.site, { match: "competitor", site: entry.site }, onLinkClick));
  }
  return out;
}

export function legend() {
  // "Broken" marks links on the page only after a check; the table has its own Check column.
  return Object.entries(STATUS_STYLES).filter(([id]) => id !== "broken").map(([id, style]) =>
    el("span", { className: "legend-item" }, el("span", { className: `swatch ${id}` }), style.label),
  );
}

/** The links view's header: every column of lib/columns.js, sortable. */
export function linkHeader(sort) {
  return columns().map((c) => ({
    id: c.id, label: c.label, title: c.title, width: c.width, className: c.className, sortable: Boolean(c.sortKey),
    sorted: sort.column === c.id ? (sort.direction === "asc" ? "ascending" : "descending") : "none",
  }));
}

/** One table row; data-href, data-follow and data-index are what tests and users rely on. */
export function linkRow(link, context) {
  const tr = el("tr", { className: "link", dataset: { href: link.href, follow: String(link.follow), index: String(link.index) } });
  for (const column of columns()) {
    const td = el("td", { className: column.className }, column.cell(link, context));
    const tip = column.tip ? column.tip(link, context) : td.textContent;
    if (tip) td.title = tip;
    tr.append(td);
  }
  return tr;
}

const DOMAIN_HEADER = [
  { id: "domain", label: "Domain", title: "The linked site (registrable domain)", width: "auto" },
  { id: "count", label: "Links", title: "Links to it", width: "58px", className: "num" },
  { id: "followed", label: "Followed", title: "Followed links to it", width: "74px", className: "num" },
  { id: "nofollow", label: "Nofollow", title: "Links to it search engines do not follow", width: "74px", className: "num" },
  { id: "anchor", label: "First anchor", title: "The anchor of its first link on the page", width: "auto" },
];

/** The by-domain view's header. */
export function domainHeader(sort) {
  return DOMAIN_HEADER.map((c) => ({
    ...c, sortable: true, sorted: sort.column === c.id ? (sort.direction === "asc" ? "ascending" : "descending") : "none",
  }));
}

/** A domain's row: it opens to its links (aria-expanded). */
export function domainRow(group, expanded) {
  const cells = [
    el("td", { title: group.domain }, el("span", { className: "disclosure", attrs: { "aria-hidden": "true" } }, expanded ? "▾" : "▸"), " ", group.domain),
    el("td", { className: "num" }, number(group.count)),
    el("td", { className: "num" }, number(group.followed)),
    el("td", { className: "num" }, number(group.nofollow)),
    el("td", { title: group.anchor }, group.anchor),
  ];
  return el("tr", { className: `domain ${group.kind}`, dataset: { domain: group.domain, links: String(group.count) }, attrs: { "aria-expanded": String(expanded) } }, cells);
}

/** A link under its domain: anchor, status and destination in the domain view's columns. */
export function domainLinkRow(link) {
  const status = linkStatus(link);
  const { label } = anchorLabel(link);
  const { path } = displayDestination(link);
  return el("tr", { className: "sub", dataset: { href: link.href, follow: String(link.follow), index: String(link.index) } },
    el("td", { title: label }, el("span", { className: "indent" }, "↳ "), label),
    el("td", { className: "num muted" }, `#${link.index + 1}`),
    el("td", { colSpan: 2, title: link.follow ? "Followed" : `Not followed: ${link.nofollow_reasons.join("; ")}` },
      el("span", { className: `status ${status}` }, el("span", { className: `dot ${status}` }), link.kind === "other" ? "Not web" : link.follow ? "Followed" : "Nofollow")),
    el("td", { className: "dest", title: link.href }, el("span", { className: "path" }, path)));
}
