// The popup's access to the inspected tab once it shows the table: highlight, scroll to a
// link, the badge. Reading the page is started by popup/start.js.
import { ext } from "../lib/browser.js";
import { MESSAGES } from "../lib/messages.js";

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
