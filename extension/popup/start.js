// The popup's first script. A classic script, so it runs as soon as the popup's document
// starts, tens of milliseconds before its modules have loaded: it finds the tab and starts
// reading its live DOM at once. popup.js picks the promises up from
// globalThis.linkInspectorStart: {tab, collected, served, stored, read, fetchServed}.
// - tab: the tab to inspect (?tabId=N for tests and the context-menu window, else the
//   active tab), or null;
// - collected: what content/collect.js answered in every frame the extension may read,
//   [{frameId, result}] (lib/frames.js puts them together), or null without a tab.
//   Restricted pages (chrome://, the stores) reject; popup.js explains them from tab.url;
// - served: {html, headers, via} — the HTML the site sent for the page (fetchServedHtml), or null;
// - stored: [storage.sync, storage.local] as they are; lib/settings.js makes settings of them.
"use strict";

/** How long the served HTML may take, and how large it may be (the server takes 10 MiB in all). */
const SERVED_TIMEOUT_MS = 2_000;
const SERVED_MAX_BYTES = 5 * 1024 * 1024;

// Runs in the top frame, injected with scripting.executeScript({func}): its source is what is
// injected, so it uses nothing from this script's scope. The HTML the site's server sent for
// this URL, before scripts ran, got the cheapest honest way: first the browser's HTTP cache
// (free: nothing is sent), else one GET the cache may answer (force-cache), credentials
// included so the site answers as it did for the page. Only for http(s) HTML documents;
// null when it cannot be had within the time and size caps, or answers for another URL.
async function fetchServedHtml(maxBytes, timeoutMs) {
  if (!/^https?:$/.test(location.protocol)) return null;
  if (document.contentType !== "text/html" && document.contentType !== "application/xhtml+xml") return null;
  const url = location.href.replace(/#.*$/, "");
  const signal = AbortSignal.timeout(timeoutMs);
  const attempts = [
    { via: "cache", init: { cache: "only-if-cached", mode: "same-origin", credentials: "include", signal } },
    { via: "network", init: { cache: "force-cache", credentials: "include", signal } },
  ];
  for (const { via, init } of attempts) {
    try {
      const response = await fetch(url, init);
      if (!response.ok || response.url.replace(/#.*$/, "") !== url) continue;
      if (!/html/i.test(response.headers.get("content-type") ?? "")) return null;
      if (Number(response.headers.get("content-length") ?? 0) > maxBytes) return null;
      const bytes = await response.arrayBuffer();
      if (bytes.byteLength > maxBytes) return null;
      let html;
      try {
        html = new TextDecoder(document.characterSet).decode(bytes);
      } catch {
        html = new TextDecoder().decode(bytes);
      }
      const headers = {};
      const robots = response.headers.get("x-robots-tag");
      if (robots) headers["X-Robots-Tag"] = robots;
      return { html, headers, via };
    } catch {
      if (signal.aborted) return null;
      // not in the cache (only-if-cached fails): try the network once
    }
  }
  return null;
}

globalThis.linkInspectorStart = (() => {
  performance.mark("link-inspector:popup-started");
  const ext = globalThis.browser ?? globalThis.chrome;
  // Every frame the extension may read, at once; a frame still loading is read as it stands
  // (waiting for it could hold the popup for as long as an ad takes to load).
  const read = async (tabId) => {
    performance.mark("link-inspector:page-requested");
    const results = await ext.scripting.executeScript({
      target: { tabId, allFrames: true },
      injectImmediately: true,
      // A leading slash: Firefox resolves relative paths against the calling page.
      files: ["/content/tree.js", "/content/collect.js"],
    });
    const top = results.find((r) => r.frameId === 0) ?? results[0];
    if (top?.error) throw new Error(String(top.error)); // Firefox reports, not throws
    if (!top || !top.result) throw new Error("The page did not answer.");
    performance.mark("link-inspector:page-collected");
    return results;
  };
  const fetchServed = async (tabId) => {
    const [injection] = await ext.scripting.executeScript({
      target: { tabId, frameIds: [0] },
      func: fetchServedHtml,
      args: [SERVED_MAX_BYTES, SERVED_TIMEOUT_MS],
    });
    return injection?.result ?? null;
  };
  const param = new URLSearchParams(location.search).get("tabId");
  let tab;
  let collected;
  let served;
  if (param !== null) {
    // The tab's id is known: read its page while its details (the URL) arrive. The served
    // HTML is asked first: its fetch runs in the network stack while the page is read.
    tab = ext.tabs.get(Number(param));
    served = fetchServed(Number(param));
    collected = read(Number(param));
  } else {
    tab = ext.tabs.query({ active: true, currentWindow: true }).then(([active]) => active ?? null);
    served = tab.then((active) => (active ? fetchServed(active.id) : null));
    collected = tab.then((active) => (active ? read(active.id) : null));
  }
  const stored = Promise.all([ext.storage.sync.get(null), ext.storage.local.get(null)]);
  // Settled later by popup.js; never an unhandled rejection in the meantime.
  served = served.then(
    (answer) => {
      performance.mark("link-inspector:served-arrived");
      return answer;
    },
    () => null,
  );
  for (const promise of [tab, collected, stored]) promise.catch(() => {});
  return { tab, collected, served, stored, read, fetchServed };
})();
