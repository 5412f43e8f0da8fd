// Check links and Qualify as prospects: background jobs on the server (POST /api/v1/link-checks,
// POST /api/v1/prospects/bulk), their progress under the actions, and each link's check
// result in a Check column (lib/columns.js) and a Broken chip (lib/filters.js). One feature,
// wired into popup.js by one call; rows are marked (data-check) by their data-href, so the
// table may render them however and whenever it likes.
import * as api from "../lib/api.js";
import { el } from "../lib/dom.js";
import { addColumn, columns } from "../lib/columns.js";
import { addFilter, filters } from "../lib/filters.js";

export const POLL_MS = 1000;
const BROKEN_FILTER = "check:broken";
export const MAX_URLS = 10_000;
export const RESULT_LABELS = Object.freeze({
  ok: "OK",
  redirect: "Redirect",
  broken: "Broken",
  server_error: "Server error",
  blocked: "Blocked",
  timeout: "Timeout",
  unreachable: "Unreachable",
  refused: "Refused",
  skipped: "Not checked",
  error: "Error",
});

/** The URL without its fragment: what a check is about (the server drops fragments too). */
export function withoutFragment(href) {
  const hash = href.indexOf("#");
  return hash === -1 ? href : href.slice(0, hash);
}

/** The http(s) destinations of these links, each once, in page order, at most MAX_URLS. */
export function checkTargets(links) {
  const seen = new Set();
  for (const link of links) {
    const href = typeof link.href === "string" ? link.href : "";
    if (!/^https?:\/\//i.test(href)) continue;
    seen.add(withoutFragment(href));
    if (seen.size >= MAX_URLS) break;
  }
  return [...seen];
}

/** href (without fragment) → its check result, from a job's results. */
export function resultsByUrl(results) {
  const map = new Map();
  for (const result of results ?? []) if (typeof result.url === "string") map.set(result.url, result);
  return map;
}

/** One line for a job's progress: "Checked 120 of 300 links · 3 broken". */
export function progressText(job) {
  const counts = job.counts ?? {};
  if (job.kind === "prospect-bulk") {
    const saved = counts.saved ?? 0;
    const failed = counts.failed ?? 0;
    const head = job.status === "done" ? `Qualified ${job.total} pages` : `Qualifying: ${job.done} of ${job.total} pages`;
    return `${head} · ${saved} saved as prospects${failed ? `, ${failed} could not be fetched` : ""}`;
  }
  const broken = counts.broken ?? 0;
  const head = job.status === "done" ? `Checked ${job.total} links` : `Checking: ${job.done} of ${job.total} links`;
  const parts = [head, `${broken} broken`];
  if (job.status === "done" && broken) parts.push("broken-link opportunity");
  if (job.status === "cancelled") parts.push("cancelled");
  if (job.status === "failed") parts.push(`failed: ${job.error ?? "see the dashboard"}`);
  return parts.join(" · ");
}

/** The badge text for one result: "Broken 404", "Redirect 200", "Timeout". */
export function badgeText(result) {
  const label = RESULT_LABELS[result.result] ?? result.result;
  return result.http_status ? `${label} ${result.http_status}` : label;
}

function badgeTitle(result) {
  const lines = [];
  if (result.final_url && result.final_url !== result.url) lines.push(`Ends at ${result.final_url}`);
  if (result.detail) lines.push(result.detail);
  if (result.from_cache) lines.push(`Checked ${result.checked_at} (reused)`);
  return lines.join("\n");
}

/** Mark one row with its check (data-check): the badge is the Check column's cell. */
function decorate(row, results) {
  const result = results.get(withoutFragment(row.dataset.href ?? ""));
  if (result) row.dataset.check = result.result;
  else delete row.dataset.check;
}

const RESULT_ORDER = Object.keys(RESULT_LABELS);

/**
 * Add the two buttons and the progress line; `getState()` is the popup's state, `view` its
 * table (popup/view.js). The table is windowed (only the rows in view exist), so "Broken only"
 * is a filter chip of lib/filters.js, which the table applies to every link, not a style.
 */
export function mount({ getState, flash, view }) {
  const results = new Map();
  const rows = document.getElementById("link-rows");
  const resultOf = (link) => results.get(withoutFragment(link.href ?? "")) ?? null;
  if (!filters().some((f) => f.id === BROKEN_FILTER)) {
    addFilter({ id: BROKEN_FILTER, label: "Broken", title: "Links the check found broken", test: (link) => resultOf(link)?.result === "broken", optional: true });
  }
  if (!columns().some((c) => c.id === "check")) {
    addColumn({
      id: "check",
      label: "Check",
      title: "What checking the link found (Check links)",
      width: "94px",
      sortKey: (link) => {
        const result = resultOf(link);
        return result ? RESULT_ORDER.indexOf(result.result) : RESULT_ORDER.length;
      },
      cell: (link) => {
        const result = resultOf(link);
        return result ? el("span", { className: `check-badge check-${result.result}` }, badgeText(result)) : "";
      },
      tip: (link) => {
        const result = resultOf(link);
        return result ? [badgeText(result), badgeTitle(result)].filter(Boolean).join("\n") : "";
      },
    }, { before: "warnings" });
  }
  const progress = el("span", { id: "job-progress", className: "job-progress", attrs: { role: "status", "aria-live": "polite" } });
  const brokenOnly = el("label", { className: "toggle", hidden: true, title: "Show only the links found broken" },
    el("input", { type: "checkbox", id: "broken-only", onchange: (event) => {
      view.setFilter(event.target.checked ? BROKEN_FILTER : "all");
    } }),
    " Broken only");
  const checkButton = el("button", { type: "button", id: "check-links", title: "Check every http(s) link of this page on the server" }, "Check links");
  const qualifyButton = el("button", { type: "button", id: "qualify-prospects", className: "ghost",
    title: "Fetch the pages these links go to and save them as prospects" }, "Qualify as prospects");
  document.querySelector("#result .actions")?.append(checkButton, qualifyButton, brokenOnly, progress);

  const decorateAll = () => {
    for (const row of rows.querySelectorAll("tr[data-href]")) decorate(row, results);
  };
  // The table adds and replaces rows as it sorts, filters and scrolls: mark each new one.
  new MutationObserver((records) => {
    if (!results.size) return;
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches("tr[data-href]")) decorate(node, results);
        for (const row of node.querySelectorAll?.("tr[data-href]") ?? []) decorate(row, results);
      }
    }
  }).observe(rows, { childList: true, subtree: true });

  async function follow(settings, job, onResults) {
    let wait = POLL_MS;
    while (true) {
      progress.textContent = progressText(job);
      progress.dataset.status = job.status;
      if (onResults) onResults(job.results ?? []);
      if (["done", "cancelled", "failed"].includes(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        job = await api.getJob(settings, job.id);
        wait = POLL_MS;
      } catch (error) {
        // Over the rate limit, or the server restarting: the job goes on there; ask later.
        if (!(error instanceof api.ServerProblem) || !["rate-limited", "timeout", "offline"].includes(error.kind)) throw error;
        wait = Math.min(wait * 2, 15_000);
      }
    }
  }

  async function run(button, start, onResults) {
    button.disabled = true;
    try {
      const { settings } = getState();
      const job = await start(settings);
      await follow(settings, job, onResults);
    } catch (error) {
      progress.textContent = "";
      flash(`${button.textContent} failed: ${error.message}`, "error");
    } finally {
      button.disabled = false;
    }
  }

  checkButton.addEventListener("click", () => {
    const { analysis, collected } = getState();
    const urls = checkTargets(analysis.links);
    if (!urls.length) return flash("This page has no http(s) link to check.", "info");
    progress.textContent = `Checking ${urls.length} links…`;
    run(checkButton, (settings) => api.startLinkCheck(settings, urls, collected.url), (found) => {
      for (const [url, result] of resultsByUrl(found)) results.set(url, result);
      brokenOnly.hidden = !results.size;
      view.refresh(); // the Check column's cells, the Broken chip's count; rows marked as they come
      decorateAll();
    });
  });

  qualifyButton.addEventListener("click", () => {
    const { shown } = getState();
    const urls = checkTargets(shown);
    if (!urls.length) return flash("No http(s) link in the current filter to qualify.", "info");
    progress.textContent = `Qualifying ${urls.length} pages…`;
    run(qualifyButton, (settings) => api.startProspectBulk(settings, urls), null);
  });

  return {
    resultFor: (href) => results.get(withoutFragment(href)) ?? null,
    /** The check's columns for CSV and Copy, once links have been checked. */
    exportColumns: () =>
      results.size
        ? [
            ["check_result", (link) => resultOf(link)?.result ?? ""],
            ["check_http_status", (link) => resultOf(link)?.http_status ?? ""],
            ["check_final_url", (link) => resultOf(link)?.final_url ?? ""],
          ]
        : [],
  };
}
