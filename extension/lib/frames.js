// The tab's documents, as content/collect.js read them in each frame, put together into the
// page the API takes: the top document, its `frames` (pre-order, each with its `parent`), and
// the frames the extension could not read. Pure: no browser API.

/** At most this many frames go to the server (the API's limit). */
export const MAX_FRAMES = 100;
/** Frames stop being added once the documents hold this many characters of HTML. */
export const MAX_TOTAL_HTML = 8_000_000;
/**
 * The served HTML goes along only while everything stays under this many characters: the
 * server takes 10 MiB by default (LINKINSPECTOR_MAX_PAGE_BYTES), and a page it refuses is
 * worse than a page whose links' origin is unknown.
 */
export const MAX_BODY_CHARS = 9_000_000;

/** Whether the served HTML fits beside the documents (their HTML, in characters). */
export function servedFits(documentChars, servedChars) {
  return documentChars + servedChars <= MAX_BODY_CHARS;
}

const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);

const key = (path) => path.join(">");

/** A host-permission pattern for a frame's URL, or null for srcdoc, about:blank, data:... */
export function originPattern(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return `${parsed.protocol}//${parsed.hostname}/*`; // match patterns take no port
}

/**
 * results: what scripting.executeScript answered, [{frameId, result}] with result as
 * collect.js returns it (or missing for a frame that failed). Returns
 *   {top, frames, unread, skipped}
 * - top: the top document's result (frameId 0);
 * - frames: [{frameId, url, html, charset, contentType, live_links, parent, hidden}] in
 *   pre-order, parent = index in frames or null for the top page; hidden = the frame itself
 *   cannot be seen on the page, so neither can its links;
 * - unread: [{src, origin}] the frames seen in a read document that could not be read
 *   (origin: the permission pattern that would let the extension read it, or null);
 * - skipped: frames read but not sent (past MAX_FRAMES or MAX_TOTAL_HTML).
 */
/** A document's live links: collect.js sends them as one JSON string (cheaper to pass on);
 *  null until the second read (linkInspectorLive) has told them. */
function liveLinksOf(doc) {
  const value = doc.live_links ?? null;
  return typeof value === "string" ? JSON.parse(value) : value;
}

/**
 * The first read's results with what the second read told (linkInspectorLive in each frame,
 * [{frameId, result: {live_links, frames_hidden}}]): each document's live links, and whether
 * each of its frames can be seen. A frame the second read did not reach keeps nulls.
 */
export function withLiveFacts(results, liveResults) {
  const byFrame = new Map(liveResults.filter((r) => r?.result).map((r) => [r.frameId, r.result]));
  return results.map((r) => {
    const facts = byFrame.get(r.frameId);
    if (!facts || !r.result || typeof r.result !== "object") return r;
    const children = (r.result.children ?? []).map((child, i) => ({ ...child, hidden: facts.frames_hidden?.[i] ?? null }));
    return { ...r, result: { ...r.result, live_links: facts.live_links, children } };
  });
}

export function assembleFrames(results) {
  const read = results
    .filter((r) => r && r.result && typeof r.result === "object")
    .map((r) => ({ ...r, result: { ...r.result, live_links: liveLinksOf(r.result) } }));
  const top = read.find((r) => r.frameId === 0) ?? read.find((r) => r.result.path?.length === 0);
  if (!top) throw new Error("The page did not answer.");
  const byPath = new Map();
  for (const r of read) {
    if (r !== top && Array.isArray(r.result.path) && r.result.path.length > 0) byPath.set(key(r.result.path), r);
  }
  const placed = new Map([[top, null]]); // record -> its index in frames, null when not sent
  const frames = [];
  const unread = [];
  let skipped = 0;
  let budget = MAX_TOTAL_HTML - (top.result.html?.length ?? 0);

  const add = (r, parentIndex, hidden) => {
    const doc = r.result;
    placed.set(r, null);
    if (!HTML_TYPES.has(doc.contentType)) return; // a PDF or an image in a frame: no links
    const links = doc.live_links; // null until the second read
    const children = doc.children ?? [];
    // An empty about:blank (an ad slot, a placeholder) tells the server nothing.
    const count = doc.link_count ?? links?.length ?? 0;
    if (count === 0 && children.length === 0 && /^about:blank/.test(doc.url)) return;
    if (frames.length >= MAX_FRAMES || (doc.html?.length ?? 0) > budget) {
      skipped += 1;
      return;
    }
    budget -= doc.html?.length ?? 0;
    const index = frames.length;
    placed.set(r, index);
    frames.push({
      frameId: r.frameId,
      url: doc.url,
      html: doc.html,
      charset: doc.charset,
      contentType: doc.contentType,
      live_links: hidden && links ? links.map((l) => ({ ...l, hidden: true })) : links,
      parent: parentIndex,
      hidden,
    });
    if (Array.isArray(doc.path)) visit(doc, doc.path, index, hidden);
  };

  // Depth first, each document's frames in its tree order: pre-order.
  const visit = (doc, path, parentIndex, hiddenAbove) => {
    for (const child of doc.children ?? []) {
      const steps = [child.i !== null && child.i !== undefined ? `i${child.i}` : null, child.k ? `k${child.k}` : null];
      const found = steps.map((s) => s && byPath.get(key([...path, s]))).find((r) => r && !placed.has(r));
      if (found) add(found, parentIndex, hiddenAbove || child.hidden === true);
      else unread.push({ src: child.src, origin: originPattern(child.src) });
    }
  };

  visit(top.result, [], null, false);
  // Frames read but not reached from the top: one that appeared after its parent was read
  // goes under that parent; one whose place is unknown (in a shadow tree of another origin's
  // document) goes under the top page and stands for one of the unread frames seen.
  for (const r of read) {
    if (placed.has(r)) continue;
    const path = r.result.path;
    const parent = Array.isArray(path) ? (path.length === 1 ? top : byPath.get(key(path.slice(0, -1)))) : undefined;
    if (parent && placed.has(parent) && parent !== top && placed.get(parent) === null) {
      placed.set(r, null);
      skipped += 1; // inside a frame that was not sent
      continue;
    }
    if (!parent || parent === top || !placed.has(parent)) {
      const match = unread.findIndex((u) => u.src === r.result.url);
      if (match >= 0) unread.splice(match, 1);
    }
    add(r, parent && placed.has(parent) ? placed.get(parent) : null, false);
  }
  return { top: top.result, frames, unread, skipped };
}

/** The permission patterns that would let the extension read the unread frames, unique. */
export function unreadOrigins(unread) {
  return [...new Set(unread.map((u) => u.origin).filter(Boolean))];
}

/**
 * Where each link of the analysis lives in the tab: [{frameId, index}] by link index, index
 * being the link's place among its own document's links. A link names its frame by `frame`,
 * the index in the request's frames; without it (an older server), by URL (frame_url), two
 * frames with one URL told apart by how many links each holds (analysis.page.frames[i].links).
 */
export function linkPlaces(analysis, frames) {
  const left = (analysis.page?.frames ?? []).map((f) => f.links ?? 0);
  const seen = new Map(); // frameId -> links placed so far
  const next = (frameId) => {
    const n = seen.get(frameId) ?? 0;
    seen.set(frameId, n + 1);
    return { frameId, index: n };
  };
  return analysis.links.map((link) => {
    if (Number.isInteger(link.frame)) return link.frame < frames.length ? next(frames[link.frame].frameId) : { frameId: null, index: -1 };
    if (!link.frame_url) return next(0);
    let i = frames.findIndex((f, j) => f.url === link.frame_url && (left[j] ?? 1) > 0);
    if (i < 0) i = frames.findIndex((f) => f.url === link.frame_url);
    if (i < 0) return { frameId: null, index: -1 }; // a frame this popup did not send
    if (left[i] !== undefined) left[i] -= 1;
    return next(frames[i].frameId);
  });
}
