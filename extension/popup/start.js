// The popup's first script. A classic script, so it runs as soon as the popup's document
// starts, tens of milliseconds before its modules have loaded: it finds the tab and starts
// reading its live DOM at once. popup.js picks the promises up from
// globalThis.linkInspectorStart: {tab, collected, stored}.
// - tab: the tab to inspect (?tabId=N for tests and the context-menu window, else the
//   active tab), or null;
// - collected: {url, html, charset, contentType} of its document (see readPage), or null
//   without a tab. Restricted pages (chrome://, the stores) reject; popup.js explains them
//   from tab.url;
// - stored: [storage.sync, storage.local] as they are; lib/settings.js makes settings of them.
"use strict";

// Runs in the page, injected with scripting.executeScript({func: readPage}) (the user's
// click grants activeTab): the function's source is what is injected, so it must use
// nothing from this script's scope. It returns the live DOM (so links added by JavaScript
// are seen), the final URL and the document's charset.
function readPage() {
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  return {
    url: location.href,
    html: document.documentElement ? doctype + document.documentElement.outerHTML : "",
    charset: document.characterSet,
    contentType: document.contentType,
  };
}

globalThis.linkInspectorStart = (() => {
  performance.mark("link-inspector:popup-started");
  const ext = globalThis.browser ?? globalThis.chrome;
  const read = async (tabId) => {
    performance.mark("link-inspector:page-requested");
    const [injection] = await ext.scripting.executeScript({ target: { tabId }, func: readPage });
    if (injection?.error) throw new Error(String(injection.error)); // Firefox reports, not throws
    if (!injection || !injection.result) throw new Error("The page did not answer.");
    performance.mark("link-inspector:page-collected");
    return injection.result;
  };
  const param = new URLSearchParams(location.search).get("tabId");
  let tab;
  let collected;
  if (param !== null) {
    // The tab's id is known: read its page while its details (the URL) arrive.
    tab = ext.tabs.get(Number(param));
    collected = read(Number(param));
  } else {
    tab = ext.tabs.query({ active: true, currentWindow: true }).then(([active]) => active ?? null);
    collected = tab.then((active) => (active ? read(active.id) : null));
  }
  const stored = Promise.all([ext.storage.sync.get(null), ext.storage.local.get(null)]);
  // Settled later by popup.js; never an unhandled rejection in the meantime.
  for (const promise of [tab, collected, stored]) promise.catch(() => {});
  return { tab, collected, stored };
})();
