// A link's status on the page, and the colours that show it: the Okabe–Ito palette
// (distinguishable with every common colour-vision deficiency) plus a distinct line
// style per status, so colour is never the only signal.

export const STATUS_STYLES = Object.freeze({
  followed: { label: "Followed external", color: "#0072B2", line: "solid" },
  nofollow: { label: "Nofollow external", color: "#D55E00", line: "dashed" },
  paid: { label: "Sponsored / UGC", color: "#CC79A7", line: "dotted" },
  internal: { label: "Internal", color: "#009E73", line: "double" },
  // Shown only once "Check links" has found broken links.
  broken: { label: "Broken (checked)", color: "#000000", line: "ridge" },
});

// Google reads rel="sponsored,nofollow" as sponsored, as it reads "sponsored nofollow": the
// server's nofollow_reasons say how it was read; rel keeps the browser's tokens as written.
const reasons = (link) => link.nofollow_reasons ?? [];

/** Marked as sponsored, as Google reads rel. */
export const isSponsored = (link) => reasons(link).includes("rel=sponsored");
/** Marked as user-generated content, as Google reads rel. */
export const isUgc = (link) => reasons(link).includes("rel=ugc");

/** followed | nofollow | paid | internal | other (mailto:, javascript:, invalid...). */
export function linkStatus(link) {
  if (link.kind === "internal") return "internal";
  if (link.kind !== "external") return "other";
  if (isSponsored(link) || isUgc(link)) return "paid";
  return link.follow ? "followed" : "nofollow";
}
