// The popup's access to the inspected tab once it shows the table: highlight, scroll to a
// link, the badge. Reading the page is started by popup/start.js. Links in frames are
// highlighted and scrolled to by the highlighter running in that frame (tabs.sendMessage
// with its frameId); the top frame's also shows the legend.
import { ext } from "../lib/browser.js";
import { MESSAGES } from "../lib/messages.js";

const ready = new Map();

function ensureHighlighter(tabId) {
  if (!ready.has(tabId)) {
    ready.set(
      tabId,
      (async () => {
        const target = { tabId, allFrames: true };
        await ext.scripting.executeScript({
          target,
          func: (messages) => {
            globalThis.linkInspectorMessages = messages;
          },
          args: [{ ...MESSAGES }],
        });
        // A leading slash: Firefox resolves relative paths against the calling page.
        const results = await ext.scripting.executeScript({ target, files: ["/content/tree.js", "/content/highlight.js"] });
        const top = results.find((r) => r.frameId === 0) ?? results[0];
        if (top?.error) throw new Error(String(top.error)); // Firefox reports, not throws
      })(),
    );
    ready.get(tabId).catch(() => ready.delete(tabId));
  }
  return ready.get(tabId);
}

async function send(tabId, frameId, message) {
  await ensureHighlighter(tabId);
  return ext.tabs.sendMessage(tabId, message, { frameId });
}

/**
 * Outline the links: items [{frameId, index, href, status, ...}] where index is the link's
 * place among its frame's links. Every frame that holds some gets its own; the top frame
 * shows the legend with the counts of all.
 */
export async function highlightOn(tabId, items, legend) {
  const byFrame = new Map([[0, []]]);
  const counts = {};
  for (const item of items) {
    if (item.frameId === null) continue;
    if (!byFrame.has(item.frameId)) byFrame.set(item.frameId, []);
    byFrame.get(item.frameId).push(item);
    counts[item.status] = (counts[item.status] ?? 0) + 1;
  }
  const answers = await Promise.all(
    [...byFrame].map(([frameId, frameItems]) =>
      send(tabId, frameId, { type: MESSAGES.HIGHLIGHT_ON, items: frameItems, legend, counts: frameId === 0 ? counts : null }).catch(
        (error) => {
          if (frameId === 0) throw error;
          return null; // a frame that went away: the others still show
        },
      ),
    ),
  );
  return answers[0];
}

/** Every frame's highlighter removes what it added (a message without frameId reaches all). */
export async function highlightOff(tabId) {
  await ensureHighlighter(tabId);
  return ext.tabs.sendMessage(tabId, { type: MESSAGES.HIGHLIGHT_OFF });
}

export const highlightState = (tabId) => send(tabId, 0, { type: MESSAGES.HIGHLIGHT_STATE });
/** Scroll the link into view and flash it: item {frameId, index, href}. */
export const scrollToLink = (tabId, item) => send(tabId, item.frameId ?? 0, { type: MESSAGES.SCROLL_TO_LINK, item });

/** Tell the service worker to show the followed-external count on the toolbar badge. */
export function reportAnalysis(tabId, count) {
  return ext.runtime.sendMessage({ type: MESSAGES.ANALYSIS_DONE, tabId, count }).catch(() => {});
}
