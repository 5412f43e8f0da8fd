// Service worker: the context-menu entry and the badge. The keyboard shortcut is the
// manifest's `_execute_action` command, which opens the popup with no code here.
import { ext } from "../lib/browser.js";
import { MESSAGES } from "../lib/messages.js";

const MENU_ID = "inspect-links";
const BADGE_COLOR = "#0072B2";

ext.runtime.onInstalled.addListener(() => {
  ext.contextMenus.create({
    id: MENU_ID,
    title: "Inspect links on this page",
    contexts: ["page", "link", "selection", "image"],
  });
});

async function openPopupFor(tab) {
  try {
    await ext.action.openPopup();
  } catch {
    // Browsers without action.openPopup(): the same popup page in a small window.
    const url = ext.runtime.getURL(`popup/popup.html?tabId=${tab.id}`);
    await ext.windows.create({ url, type: "popup", width: 800, height: 600 });
  }
}

ext.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID && tab?.id !== undefined) openPopupFor(tab);
});

ext.runtime.onMessage.addListener((message, sender) => {
  if (message?.type !== MESSAGES.ANALYSIS_DONE || sender.id !== ext.runtime.id) return false;
  const text = message.count > 999 ? "999+" : String(message.count);
  ext.action.setBadgeBackgroundColor({ tabId: message.tabId, color: BADGE_COLOR });
  ext.action.setBadgeText({ tabId: message.tabId, text });
  ext.action.setTitle({
    tabId: message.tabId,
    title: `Link Inspector: ${message.count} followed external link${message.count === 1 ? "" : "s"}`,
  });
  return false;
});
