// The popup's access to the inspected tab: read its DOM, highlight, scroll to a link.
import { readPage } from "../content/collect.js";
import { ext } from "../lib/browser.js";
import { MESSAGES } from "../lib/messages.js";

/** The tab to inspect: ?tabId=N (tests, the context-menu window) or the active tab. */
export async function targetTab() {
  const param = new URLSearchParams(location.search).get("tabId");
  if (param !== null) return ext.tabs.get(Number(param));
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab;
}

/** {url, html, charset, contentType} of the tab's live document. */
export async function collectPage(tabId) {
  const [injection] = await ext.scripting.executeScript({ target: { tabId }, func: readPage });
  if (injection?.error) throw new Error(String(injection.error));
  if (!injection || !injection.result) throw new Error("The page did not answer.");
  return injection.result;
}

const ready = new Map();

function ensureHighlighter(tabId) {
  if (!ready.has(tabId)) {
    ready.set(
      tabId,
      (async () => {
        await ext.scripting.executeScript({
          target: { tabId },
          func: (messages) => {
            globalThis.linkInspectorMessages = messages;
          },
          args: [{ ...MESSAGES }],
        });
        // A leading slash: Firefox resolves relative paths against the calling page.
        const [injection] = await ext.scripting.executeScript({ target: { tabId }, files: ["/content/highlight.js"] });
        if (injection?.error) throw new Error(String(injection.error)); // Firefox reports, not throws
      })(),
    );
  }
  return ready.get(tabId);
}

async function send(tabId, message) {
  await ensureHighlighter(tabId);
  return ext.tabs.sendMessage(tabId, message);
}

export const highlightOn = (tabId, items, legend) => send(tabId, { type: MESSAGES.HIGHLIGHT_ON, items, legend });
export const highlightOff = (tabId) => send(tabId, { type: MESSAGES.HIGHLIGHT_OFF });
export const highlightState = (tabId) => send(tabId, { type: MESSAGES.HIGHLIGHT_STATE });
export const scrollToLink = (tabId, item) => send(tabId, { type: MESSAGES.SCROLL_TO_LINK, item });

/** Tell the service worker to show the followed-external count on the toolbar badge. */
export function reportAnalysis(tabId, count) {
  return ext.runtime.sendMessage({ type: MESSAGES.ANALYSIS_DONE, tabId, count }).catch(() => {});
}
