// The links table's columns, in display order. A feature module adds one with addColumn()
// (e.g. the result of a link check): a header, a width, how to sort on it, what a cell shows
// and, for a cell too narrow for its content, the full text as its tooltip.
import { el } from "./dom.js";
import { RISKS, linkRisks, riskSentence } from "./risks.js";
import { linkStatus } from "./status.js";
import { anchorLabel, displayDestination } from "./urlDisplay.js";

const registry = [];

/**
 * Add a column: {id, label, title?, width (CSS), className?, sortKey?(link) → string|number,
 * cell(link, context) → Node|string|array, tip?(link, context) → string}. context:
 * {marks} (lib/filters.js matchIndex). Inserted before the column `before` when given.
 */
export function addColumn(column, { before } = {}) {
  if (registry.some((c) => c.id === column.id)) throw new Error(`column ${column.id} exists`);
  const frozen = Object.freeze({ className: "", title: column.label, ...column });
  const at = before ? registry.findIndex((c) => c.id === before) : -1;
  if (at >= 0) registry.splice(at, 0, frozen);
  else registry.push(frozen);
}

/** The columns, in display order. */
export function columns() {
  return registry;
}

/** The sortable columns' ids. */
export function sortableColumns() {
  return registry.filter((c) => c.sortKey).map((c) => c.id);
}

/** A new array sorted on a column (stable: ties keep page order). */
export function sortLinks(links, columnId, direction = "asc") {
  const column = registry.find((c) => c.id === columnId);
  if (!column?.sortKey) throw new Error(`unknown sort column ${columnId}`);
  const sign = direction === "desc" ? -1 : 1;
  const keyed = links.map((link) => ({ link, value: column.sortKey(link) }));
  keyed.sort((a, b) => {
    if (a.value < b.value) return -sign;
    if (a.value > b.value) return sign;
    return a.link.index - b.link.index;
  });
  return keyed.map((entry) => entry.link);
}

const RISK_SHORT = { in_frame: "frame", hidden: "hidden", script_only: "script" };

/** Badges with a space between them, so a cell's text reads as words (and copies so). */
const spaced = (nodes) => nodes.flatMap((node, i) => (i === 0 ? [node] : [" ", node]));

addColumn({
  id: "index",
  label: "#",
  title: "Position on the page",
  width: "46px",
  className: "num",
  sortKey: (link) => link.index,
  cell: (link) => String(link.index + 1),
});
addColumn({
  id: "anchor",
  label: "Anchor",
  title: "The link's text, or its image's alt text",
  width: "auto",
  className: "anchor",
  sortKey: (link) => (link.text || link.image_alt || "").toLowerCase(),
  cell: (link, { marks }) => {
    const { label, kind } = anchorLabel(link);
    return [
      kind === "image" ? el("span", { className: "badge img" }, "img") : null,
      el("span", { className: kind === "empty" ? "muted" : "" }, label),
      marks?.mySite.has(link.index) ? el("span", { className: "badge mine" }, "my site") : null,
      marks?.competitors.has(link.index) ? el("span", { className: "badge rival" }, "competitor") : null,
    ];
  },
  tip: (link) => anchorLabel(link).label,
});
addColumn({
  id: "destination",
  label: "Destination",
  title: "Where the link goes, as the browser resolves it",
  width: "auto",
  className: "dest",
  sortKey: (link) => `${link.host ?? ""}${link.href}`.toLowerCase(),
  cell: (link) => {
    const { host, path } = displayDestination(link);
    return [el("span", { className: "host" }, host), el("span", { className: "path" }, path)];
  },
  tip: (link) => link.href,
});
addColumn({
  id: "rel",
  label: "Rel",
  title: "The rel attribute's tokens, as the browser reads them",
  width: "86px",
  className: "rel",
  sortKey: (link) => link.rel.join(" "),
  cell: (link) =>
    link.rel.length === 0
      ? el("span", { className: "muted" }, "—")
      : spaced(
          link.rel.map((token) => {
            const known = ["nofollow", "sponsored", "ugc", "noopener", "noreferrer", "external"].includes(token);
            return el("span", { className: `badge rel-${known ? token : "other"}` }, token);
          }),
        ),
  tip: (link) => (link.rel_raw === null || link.rel_raw === undefined ? "" : `rel="${link.rel_raw}"`),
});
addColumn({
  id: "status",
  label: "Status",
  title: "Followed by search engines or not, and why",
  width: "84px",
  sortKey: (link) => (link.kind === "other" ? 2 : link.follow ? 0 : 1),
  cell: (link) => {
    const status = linkStatus(link);
    const label = link.kind === "other" ? "Not web" : link.follow ? "Followed" : "Nofollow";
    return el("span", { className: `status ${status}` }, el("span", { className: `dot ${status}` }), label);
  },
  tip: (link) =>
    link.kind === "other" ? "Not a web link (mailto:, tel:, javascript:...)" : link.follow ? "Followed" : `Not followed: ${link.nofollow_reasons.join("; ")}`,
});
addColumn({
  id: "position",
  label: "Where",
  title: "Where on the page: header, nav, main, aside, footer or body",
  width: "58px",
  className: "pos",
  sortKey: (link) => link.position ?? "",
  cell: (link) => link.position ?? "",
});
addColumn({
  id: "risks",
  label: "Risks",
  title: "What may stop search engines from counting the link",
  width: "92px",
  className: "risks",
  sortKey: (link) => -(link.risks ?? []).length,
  cell: (link, { marks }) => {
    const own = linkRisks(link, marks?.pageRisks ?? []);
    const out = own.map((code) =>
      el("span", { className: `badge risk risk-${code}`, dataset: { risk: code } }, RISK_SHORT[code] ?? RISKS[code]?.label ?? code));
    if (link.shadow) out.push(el("span", { className: "badge where", dataset: { where: "shadow" } }, "shadow"));
    if (link.frame_url && !own.includes("in_frame")) out.push(el("span", { className: "badge where", dataset: { where: "frame" } }, "frame"));
    return spaced(out);
  },
  // Each badge's word, then what it means: the cell's words are all in its tooltip.
  tip: (link, { marks }) =>
    [
      ...linkRisks(link, marks?.pageRisks ?? []).map((code) => `${RISK_SHORT[code] ?? code}: ${riskSentence(code)}`),
      link.shadow ? "shadow: inside a shadow tree (a web component)." : "",
      link.frame_url ? `frame: in the frame ${link.frame_url}` : "",
    ]
      .filter(Boolean)
      .join("\n"),
});
addColumn({
  id: "warnings",
  label: "⚠",
  title: "Warnings: rel values read differently, meaningless values, unparseable href",
  width: "40px",
  className: "warn",
  sortKey: (link) => -link.warnings.length,
  cell: (link) => (link.warnings.length ? el("span", { className: "warn-mark" }, `⚠${link.warnings.length > 1 ? ` ${link.warnings.length}` : ""}`) : ""),
  tip: (link) => link.warnings.join("\n"),
});
