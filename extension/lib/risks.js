// What can stop a search engine from counting a link, as the API names it (each link's
// `risks`, and the best match's for my sites and each competitor), in words for the popup.

/** Every risk code, in the order the API lists them, with its sentence and short form. */
export const RISKS = Object.freeze({
  robots_txt_disallowed: {
    sentence: "robots.txt blocks Googlebot from this page: Google cannot crawl it to see the link.",
    short: "blocked by robots.txt",
    label: "robots.txt",
    page: true,
  },
  noindex: {
    sentence: "The page is noindex: search engines drop it, and in time stop following its links.",
    short: "noindex page",
    label: "Noindex",
    page: true,
  },
  canonical_elsewhere: {
    sentence: "The page's canonical is another URL: search engines may credit that page instead.",
    short: "canonical is another URL",
    label: "Canonical",
    page: true,
  },
  in_frame: {
    sentence: "The link is inside a frame: search engines credit it to the framed page, not this one.",
    short: "inside a frame",
    label: "In frame",
    page: false,
  },
  hidden: {
    sentence: "The link is hidden from visitors: search engines may ignore it.",
    short: "hidden",
    label: "Hidden",
    page: false,
  },
  script_only: {
    sentence: "The link is added by JavaScript: only crawlers that run scripts see it.",
    short: "added by script",
    label: "Added by script",
    page: false,
  },
});

export const RISK_CODES = Object.freeze(Object.keys(RISKS));

/** The plain sentence for a risk code; an unknown code (a newer server) is shown as it is. */
export function riskSentence(code) {
  return RISKS[code]?.sentence ?? `Risk: ${code}.`;
}

/** The short form used in a verdict line. */
export function riskShort(code) {
  return RISKS[code]?.short ?? String(code).replaceAll("_", " ");
}

/**
 * The top page's own risks (robots.txt, noindex, canonical): said once, above the table.
 * A frame's document has its own, shown on its links.
 */
export function pageRisks(analysis) {
  const codes = new Set();
  if (analysis.page?.robots_txt?.status === "disallowed") codes.add("robots_txt_disallowed");
  if (analysis.page?.robots?.noindex) codes.add("noindex");
  for (const link of analysis.links ?? []) {
    if (link.frame_url) continue;
    for (const code of link.risks ?? []) if (RISKS[code]?.page) codes.add(code);
  }
  return RISK_CODES.filter((code) => codes.has(code));
}

/** A link's risks less those the banner says for the whole page (pageRisks). */
export function linkRisks(link, pageCodes = []) {
  const risks = link.risks ?? [];
  return link.frame_url ? risks : risks.filter((code) => !pageCodes.includes(code));
}

/**
 * The verdict for my sites or one competitor, in words:
 * "No", "Yes · followed", "Yes · followed · at risk: blocked by robots.txt", "Yes · nofollow only".
 */
export function verdictText(entry) {
  if (!entry?.linked) return "No";
  const parts = ["Yes", entry.followed ? "followed" : "nofollow only"];
  const risks = entry.risks ?? [];
  if (risks.length) parts.push(`at risk: ${risks.map(riskShort).join(", ")}`);
  return parts.join(" · ");
}

/** "yes" | "risk" | "partial" | "no": how the verdict is coloured. */
export function verdictKind(entry) {
  if (!entry?.linked) return "no";
  if (!entry.followed) return "partial";
  return (entry.risks ?? []).length ? "risk" : "yes";
}
