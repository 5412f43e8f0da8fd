// The one list of message types exchanged by the popup, the content scripts and the
// service worker. Content scripts cannot import modules, so the popup hands them this
// object (see popup/page.js) before injecting them.
export const MESSAGES = Object.freeze({
  HIGHLIGHT_ON: "link-inspector:highlight-on",
  HIGHLIGHT_OFF: "link-inspector:highlight-off",
  HIGHLIGHT_STATE: "link-inspector:highlight-state",
  SCROLL_TO_LINK: "link-inspector:scroll-to-link",
  ANALYSIS_DONE: "link-inspector:analysis-done",
});
