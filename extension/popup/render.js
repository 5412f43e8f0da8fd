// Pure DOM building for the popup: analysis JSON in, elements out. Text only, never HTML.
import { el } from "../lib/dom.js";
import { FILTERS } from "../lib/filters.js";
import { STATUS_STYLES, linkStatus } from "../lib/status.js";
import { anchorLabel, displayDestination, truncateMiddle } from "../lib/urlDisplay.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function banners(analysis) {
  const out = [];
  const robots = analysis.page.robots;
  if (robots.nofollow) {
    const sources = robots.sources.map((s) => `${s.source}: "${s.content}"`).join("; ");
    out.push(
      el("div", { className: "banner danger", dataset: { banner: "robots-nofollow" } },
        el("strong", {}, "Every link on this page is nofollow."),
        ` Robots directives tell search engines not to follow any link here (${sources}).`),
    );
  }
  for (const warning of analysis.page.warnings) {
    if (robots.nofollow && /nofollow/i.test(warning)) continue; // said above
    out.push(el("div", { className: "banner warn", dataset: { banner: "warning" } }, warning));
  }
  if (analysis.page.truncated) {
    out.push(el("div", { className: "banner warn" }, "The page has more links than the server's limit; only the first ones are listed."));
  }
  return out;
}

export function summary(analysis) {
  const s = analysis.summary;
  const tiles = [
    ["total", "Links", s.total],
    ["internal", "Internal", s.internal],
    ["external", "External", s.external],
    ["followed_external", "Followed ext.", s.followed_external],
    ["nofollow", "Nofollow", s.nofollow],
    ["sponsored", "Sponsored", s.sponsored],
    ["ugc", "UGC", s.ugc],
    ["unique_external_domains", "Ext. domains", s.unique_external_domains],
  ];
  return tiles.map(([key, label, value]) =>
    el("div", { className: `tile tile-${key}`, dataset: { stat: key } },
      el("span", { className: "tile-value" }, String(value)),
      el("span", { className: "tile-label" }, label)),
  );
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
        el("span", { className: link.follow ? "pill ok" : "pill no" }, link.follow ? "followed" : "nofollow")),
    );
  }
  if (indices.length > 5) list.append(el("li", { className: "more" }, `and ${indices.length - 5} more (filter "My site"/"Competitors")`));
  return list;
}

function verdict(entry) {
  if (!entry.linked) return el("span", { className: "verdict no" }, "No");
  const followed = entry.followed ? "followed" : "nofollow only";
  return el("span", { className: `verdict ${entry.followed ? "yes" : "partial"}` }, `Yes · ${plural(entry.links.length, "link")} · ${followed}`);
}

export function matches(analysis, settings, onLinkClick, onOpenOptions) {
  const out = [];
  const mine = el("div", { className: "match-card", dataset: { match: "my-site" } },
    el("div", { className: "match-head" }, el("span", { className: "match-title" }, "Links to your site"),
      settings.sites.length ? verdict(analysis.sites) : null));
  if (!settings.sites.length) {
    mine.append(el("p", { className: "hint" }, "Add your sites in ",
      el("button", { type: "button", className: "linklike", onclick: onOpenOptions }, "Options"),
      " to see whether this page links to you."));
  } else if (analysis.sites.linked) {
    mine.append(matchLinks(analysis, analysis.sites.links, onLinkClick));
  }
  out.push(mine);
  for (const entry of analysis.competitors) {
    const card = el("div", { className: "match-card competitor", dataset: { match: "competitor", site: entry.site } },
      el("div", { className: "match-head" }, el("span", { className: "match-title" }, `Competitor ${entry.site}`), verdict(entry)));
    if (entry.linked) card.append(matchLinks(analysis, entry.links, onLinkClick));
    out.push(card);
  }
  return out;
}

export function chips(counts, active, onSelect) {
  return FILTERS.map((f) =>
    el("button", {
      type: "button",
      className: f.id === active ? "chip active" : "chip",
      dataset: { filter: f.id },
      attrs: { "aria-pressed": String(f.id === active) },
      onclick: () => onSelect(f.id),
    }, f.label, el("span", { className: "chip-count" }, String(counts[f.id] ?? 0))),
  );
}

export function legend() {
  return Object.entries(STATUS_STYLES).map(([id, style]) =>
    el("span", { className: "legend-item" }, el("span", { className: `swatch ${id}` }), style.label),
  );
}

function relBadges(link) {
  if (link.rel.length === 0) return el("span", { className: "muted" }, "—");
  return link.rel.map((token) => {
    const known = ["nofollow", "sponsored", "ugc", "noopener", "noreferrer", "external"].includes(token);
    return el("span", { className: `badge rel-${known ? token : "other"}` }, truncateMiddle(token, 24));
  });
}

function statusCell(link) {
  const status = linkStatus(link);
  const label = link.kind === "other" ? "not a web link" : link.follow ? "Followed" : "Nofollow";
  return el("span", { className: `status ${status}`, title: link.nofollow_reasons.join("\n") || undefined },
    el("span", { className: `dot ${status}` }), label);
}

/** One table row; data-href and data-follow are what tests and users rely on. */
export function row(link, marks) {
  const { label, kind } = anchorLabel(link);
  const { host, path } = displayDestination(link);
  const tr = el("tr", { dataset: { href: link.href, follow: String(link.follow), index: String(link.index) }, title: link.href });
  tr.append(
    el("td", { className: "num" }, String(link.index + 1)),
    el("td", { className: "anchor" },
      kind === "image" ? el("span", { className: "badge img" }, "img") : null,
      el("span", { className: kind === "empty" ? "muted" : "" }, truncateMiddle(label, 80)),
      marks.mySite.has(link.index) ? el("span", { className: "badge mine" }, "my site") : null,
      marks.competitors.has(link.index) ? el("span", { className: "badge rival" }, "competitor") : null),
    el("td", { className: "dest" }, el("span", { className: "host" }, host), el("span", { className: "path" }, truncateMiddle(path, 70))),
    el("td", { className: "rel" }, relBadges(link)),
    el("td", {}, statusCell(link)),
    el("td", { className: "pos" }, link.position ?? ""),
    el("td", { className: "warn" }, link.warnings.length
      ? el("span", { className: "warn-mark", title: link.warnings.join("\n") }, link.warnings.length > 1 ? `⚠ ${link.warnings.length} warnings` : `⚠ ${link.warnings[0]}`)
      : null),
  );
  return tr;
}
