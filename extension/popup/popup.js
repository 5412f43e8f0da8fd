// The popup: read the tab's live DOM, ask the server, show the answer.
import * as api from "../lib/api.js";
import { ext } from "../lib/browser.js";
import { csvFileName, linksToCsv, linksToTsv } from "../lib/csv.js";
import { matchIndex } from "../lib/filters.js";
import { assembleFrames, linkPlaces, servedFits, unreadOrigins, withLiveFacts } from "../lib/frames.js";
import { injectionErrorExplanation, nonHtmlExplanation, restrictionFor } from "../lib/pageAccess.js";
import { settingsFrom } from "../lib/settings.js";
import { STATUS_STYLES, linkStatus } from "../lib/status.js";
import * as linkChecks from "./linkChecks.js";
import * as page from "./page.js";
import * as render from "./render.js";
import { wireTrackBacklink } from "./trackBacklink.js";
import { createView } from "./view.js";

const $ = (id) => document.getElementById(id);
let state = null; // {tab, settings, collected, analysis, marks, places}
let view = null; // view.js: the table, its filters and sort
let checks = null; // linkChecks.js: each link's check, once "Check links" ran

function showStatus(message, { busy = false, kind = "info" } = {}) {
  $("status").hidden = false;
  $("status").className = `state ${kind}${busy ? " busy" : ""}`;
  $("status-text").textContent = message;
  $("result").hidden = true;
}

function openOptions() {
  ext.runtime.openOptionsPage();
}

/** Run fn after the next frame is painted; a timer stands in if frames are paused. */
function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 100);
}

/** Where a link of the analysis lives in the tab: {frameId, index, href}. */
function placeOf(link) {
  return { ...(state.places[link.index] ?? { frameId: 0, index: link.index }), href: link.href };
}

async function goToLink(link) {
  const place = placeOf(link);
  if (place.frameId === null) return flash("This link is in a frame the popup cannot reach.", "info");
  try {
    const answer = await page.scrollToLink(state.tab.id, place);
    if (!answer?.found) flash("This link is no longer on the page.", "error");
    else if (!answer.visible) flash("This link is hidden on the page (not displayed).", "info");
  } catch (error) {
    flash(`Could not scroll the page: ${error.message}`, "error");
  }
}

function flash(message, kind) {
  const node = $("action-feedback");
  node.textContent = message;
  node.className = `feedback ${kind}`;
}

function highlightItems() {
  return state.analysis.links
    .map((link) => {
      // A link "Check links" found broken is marked as such, whatever its rel says.
      const broken = checks?.resultFor(link.href ?? "")?.result === "broken";
      const status = broken ? "broken" : linkStatus(link);
      return {
        ...placeOf(link),
        status,
        statusLabel: STATUS_STYLES[status]?.label ?? "Link",
        rel: link.rel_raw ?? "",
        reasons: link.follow ? "Followed by search engines" : `Not followed: ${link.nofollow_reasons.join("; ")}`,
      };
    })
    .filter((item) => item.status !== "other");
}

async function toggleHighlight(event) {
  const on = event.target.checked;
  try {
    if (on) {
      const items = highlightItems();
      const shown = new Set(items.map((item) => item.status));
      const legend = Object.entries(STATUS_STYLES)
        .filter(([id]) => id !== "broken" || shown.has(id))
        .map(([id, s]) => ({ id, ...s }));
      await page.highlightOn(state.tab.id, items, legend);
    } else {
      await page.highlightOff(state.tab.id);
    }
  } catch (error) {
    event.target.checked = !on;
    flash(`Could not change the page: ${error.message}`, "error");
  }
}

function exportCsv() {
  const shown = view.shown();
  const blob = new Blob([linksToCsv(shown, checks?.exportColumns() ?? [])], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = csvFileName(state.collected.url);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  flash(`Exported ${shown.length} links as CSV.`, "ok");
}

async function copyTable() {
  try {
    const shown = view.shown();
    await navigator.clipboard.writeText(linksToTsv(shown, checks?.exportColumns() ?? []));
    flash(`Copied ${shown.length} links (paste into a spreadsheet).`, "ok");
  } catch (error) {
    flash(`Could not copy: ${error.message}`, "error");
  }
}

async function runAction(button, label, action, describe) {
  button.disabled = true;
  flash(`${label}…`, "info");
  try {
    const answer = await action();
    flash(describe(answer), "ok");
  } catch (error) {
    flash(`${label} failed: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

// A feature module (one file, e.g. a link check) adds its column and chip at import with
// lib/columns.js addColumn() and lib/filters.js addFilter(), is wired here by one line, as
// "Track this backlink" is, and calls view.refresh() when its data for the links changes.
function wireResult() {
  view = createView({ onLink: goToLink });
  $("highlight-toggle").addEventListener("change", toggleHighlight);
  $("export-csv").addEventListener("click", exportCsv);
  $("copy-table").addEventListener("click", copyTable);
  $("save-prospect").addEventListener("click", (event) =>
    runAction(event.currentTarget, "Saving prospect", () => api.saveProspect(state.settings, state.collected), (answer) => {
      const domain = answer?.domain ?? new URL(state.collected.url).hostname;
      return answer?.created === false
        ? `Added this page to the prospect ${domain}.`
        : `Saved ${domain} as a new prospect.`;
    }));
  checks = linkChecks.mount({ getState: () => ({ ...state, shown: view.shown() }), flash, view });
  wireTrackBacklink($("track-backlink"), state, flash);
}

function showResult({ again = false } = {}) {
  const { analysis, settings } = state;
  $("status").hidden = true;
  $("result").hidden = false;
  $("page-actions").hidden = false;
  $("banners").replaceChildren(...render.banners(analysis));
  const unread = render.unreadFrames(state.collected, unreadOrigins(state.collected.unread), grantFrames);
  if (unread) $("banners").append(unread);
  $("matches").replaceChildren(...render.matches(analysis, settings, goToLink, openOptions));
  $("legend").replaceChildren(...render.legend());
  view.show(analysis, state.marks, { keepScroll: again });
}

/** The page as the API takes it, from what start.js read in each frame and the served HTML. */
function pageFrom(results, served) {
  const { top, frames, unread, skipped } = assembleFrames(results);
  const chars = frames.reduce((sum, f) => sum + (f.html?.length ?? 0), top.html?.length ?? 0);
  if (served && !servedFits(chars, served.html.length)) served = null;
  return {
    url: top.url,
    html: top.html,
    charset: top.charset,
    contentType: top.contentType,
    live_links: top.live_links,
    frames,
    unread,
    skipped,
    served_html: served?.html ?? null,
    headers: served?.headers ?? {},
  };
}

/** Ask the server again for the page as it now stands, and show the answer in place. */
async function reanalyse(collected, note) {
  const analysis = await api.analyze(state.settings, collected);
  Object.assign(state, { collected, analysis, marks: matchIndex(analysis), places: linkPlaces(analysis, collected.frames) });
  showResult({ again: true });
  if (note) flash(note, "ok");
}

/** The user allowed the frames' sites (a click: permissions.request needs one): read again. */
async function grantFrames(event) {
  const origins = unreadOrigins(state.collected.unread);
  event.currentTarget.disabled = true;
  let granted = false;
  try {
    granted = await ext.permissions.request({ origins });
  } catch (error) {
    flash(`Could not ask for access: ${error.message}`, "error");
  }
  if (!granted) {
    event.currentTarget.disabled = false;
    return;
  }
  flash("Reading the frames…", "info");
  try {
    const results = await globalThis.linkInspectorStart.read(state.tab.id);
    await completeRead(results, globalThis.linkInspectorStart.served);
    flash("Read the page again with its frames.", "ok");
  } catch (error) {
    flash(`Could not read the page again: ${error.message}`, "error");
  }
}

/**
 * The second read, once the table is shown: what only the live page's layout tells (which
 * links the user can see, in every frame) and the HTML the site served (each link's origin),
 * then the analysis again with both, shown in place. The first answer left without them: the
 * table does not wait for layout, nor for the served HTML.
 */
async function completeRead(results, served) {
  document.body.dataset.live = "pending";
  try {
    const [live, sent] = await Promise.all([
      ext.scripting.executeScript({
        target: { tabId: state.tab.id, allFrames: true },
        func: () => globalThis.linkInspectorLive?.() ?? null,
      }),
      served,
    ]);
    performance.mark("link-inspector:live-read");
    const collected = pageFrom(withLiveFacts(results, live), sent);
    await reanalyse(collected);
    document.body.dataset.origins = collected.served_html === null ? "unknown" : "known";
    document.body.dataset.live = "known";
    performance.mark("link-inspector:live-shown"); // read by bench/bench_popup.py
  } catch {
    document.body.dataset.live = "unknown";
  }
}

async function main() {
  performance.mark("link-inspector:modules-loaded");
  $("open-options").addEventListener("click", openOptions);
  const start = globalThis.linkInspectorStart; // popup/start.js: already reading the page
  const settingsLoaded = start.stored.then(([synced, local]) => settingsFrom(synced, local));
  const tab = await start.tab;
  if (!tab) return showStatus("No tab to inspect.", { kind: "error" });
  $("page-id").textContent = tab.url ? new URL(tab.url).host || tab.url : "";
  $("page-id").title = tab.url ?? "";
  const restriction = restrictionFor(tab.url);
  if (restriction) return showStatus(restriction, { kind: "blocked" });

  let results;
  try {
    results = await start.collected;
  } catch (error) {
    return showStatus(injectionErrorExplanation(tab.url, error), { kind: "blocked" });
  }
  let collected;
  try {
    collected = pageFrom(results, null);
  } catch (error) {
    return showStatus(injectionErrorExplanation(tab.url, error), { kind: "blocked" });
  }
  const nonHtml = nonHtmlExplanation(collected.contentType);
  if (nonHtml) return showStatus(nonHtml, { kind: "blocked" });
  const pageRestriction = restrictionFor(collected.url);
  if (pageRestriction) return showStatus(pageRestriction, { kind: "blocked" });

  // The request leaves before anything else is drawn.
  const settings = await settingsLoaded;
  const analysing = api.analyze(settings, collected);
  analysing.catch(() => {});
  performance.mark("link-inspector:request-sent");
  $("page-id").textContent = new URL(collected.url).host;
  $("page-id").title = collected.url;
  const kb = Math.max(1, Math.round(collected.html.length / 1024));
  showStatus(`Analysing ${kb} KB…`, { busy: true });
  let analysis;
  try {
    analysis = await analysing;
  } catch (error) {
    const message = error instanceof api.ServerProblem ? error.message : `Analysis failed: ${error.message}`;
    return showStatus(message, { kind: "error" });
  }
  performance.mark("link-inspector:analysis-received");
  state = { tab, settings, collected, analysis, marks: matchIndex(analysis), places: linkPlaces(analysis, collected.frames) };
  // Asked before the rows are: it then runs before the rest of the rows go in after the paint.
  afterPaint(() => {
    performance.mark("link-inspector:table-painted");
    document.body.dataset.painted = "true";
    page.highlightState(tab.id).then((answer) => {
      $("highlight-toggle").checked = Boolean(answer?.on);
    }, () => {});
  });
  wireResult();
  showResult();
  document.body.dataset.ready = "true";
  document.body.dataset.origins = "pending";
  // For bench/bench_popup.py: where the served HTML came from, and the page script's own time.
  start.served.then((served) => {
    document.body.dataset.servedVia = served?.via ?? "none";
  });
  const script = results.find((r) => r.frameId === 0)?.result;
  document.body.dataset.collectMs = String(script?.ms ?? "");
  document.body.dataset.collectTimings = (script?.timings ?? []).join(" ");
  performance.mark("link-inspector:table-rendered"); // read by bench/bench_popup.py
  page.reportAnalysis(tab.id, analysis.summary.followed_external);
  afterPaint(() => completeRead(results, start.served));
}

main().catch((error) => showStatus(`Something went wrong: ${error.message}`, { kind: "error" }));
