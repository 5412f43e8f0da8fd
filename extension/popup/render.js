// Pure DOM building for the popup: analysis JSON in, elements out. Text only, never HTML.
import { el } from "../lib/dom.js";
import { filters } from "../lib/filters.js";
import { RISKS, linkRisks, pageRisks, riskSentence, verdictKind, verdictText } from "../lib/risks.js";
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
  const risks = pageRisks(analysis);
  if (risks.length) out.push(riskBanner(analysis, risks));
  for (const warning of analysis.page.warnings) {
    if (robots.nofollow && /nofollow/i.test(warning)) continue; // said above
    if (risks.includes("noindex") && /noindex/i.test(warning)) continue;
    if (risks.includes("canonical_elsewhere") && /canonical/i.test(warning)) continue;
    if (risks.includes("robots_txt_disallowed") && /robots\.txt/i.test(warning)) continue;
    out.push(el("div", { className: "banner warn", dataset: { banner: "warning" } }, warning));
  }
  if (analysis.page.truncated) {
    out.push(el("div", { className: "banner warn" }, "The page has more links than the server's limit; only the first ones are listed."));
  }
  return out;
}

/** What puts every link of this page at risk, each risk in a plain sentence. */
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
  return el("div", { className: "banner danger", dataset: { banner: "page-risks" } },
    el("strong", {}, "Links on this page may not count."), el("ul", { className: "risk-list" }, items));
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
  return banner;
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

const linkCount = (entry) => (entry.linked ? el("span", { className: "match-count" }, plural(entry.links.length, "link")) : null);

export function matches(analysis, settings, onLinkClick, onOpenOptions) {
  const out = [];
  const mine = el("div", { className: "match-card", dataset: { match: "my-site" } },
    el("div", { className: "match-head" }, el("span", { className: "match-title" }, "Links to your site"),
      settings.sites.length ? linkCount(analysis.sites) : null,
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
      el("div", { className: "match-head" }, el("span", { className: "match-title" }, `Competitor ${entry.site}`), linkCount(entry), verdict(entry)));
    if (entry.linked) card.append(matchLinks(analysis, entry.links, onLinkClick));
    out.push(card);
  }
  return out;
}

export function chips(counts, active, onSelect) {
  return filters()
    .filter((f) => !f.optional || counts[f.id] > 0 || f.id === active)
    .map((f) =>
      el("button", {
        type: "button",
        className: `chip${f.id === active ? " active" : ""}${f.optional ? " optional" : ""}`,
        title: f.title,
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

/** What search engines may not count about this link, and where it lives (frame, shadow tree). */
function riskCell(link, pageCodes) {
  const own = linkRisks(link, pageCodes);
  const marks = own.map((code) =>
    el("span", { className: `badge risk risk-${code}`, title: riskSentence(code), dataset: { risk: code } }, RISKS[code]?.label ?? code));
  if (link.shadow) marks.push(el("span", { className: "badge where", title: "Inside a shadow tree (a web component)", dataset: { where: "shadow" } }, "shadow"));
  if (link.frame_url && !own.includes("in_frame")) {
    marks.push(el("span", { className: "badge where", title: `In the frame ${link.frame_url}`, dataset: { where: "frame" } }, "frame"));
  }
  return marks;
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
    el("td", { className: "risks", title: link.frame_url ? `In the frame ${link.frame_url}` : undefined }, riskCell(link, marks.pageRisks)),
    el("td", { className: "warn" }, link.warnings.length
      ? el("span", { className: "warn-mark", title: link.warnings.join("\n") }, link.warnings.length > 1 ? `⚠ ${link.warnings.length} warnings` : `⚠ ${link.warnings[0]}`)
      : null),
  );
  return tr;
}
