// Test-only background module, added to the extension COPY the Firefox smoke test installs.
// WebDriver BiDi may not navigate to moz-extension: URLs, so a tab that loads
// http://127.0.0.1:*/...#li-open=<path>&target=<url> is sent by the extension itself to
// <path>?tabId=<id of the tab showing url>.
const ext = globalThis.browser ?? globalThis.chrome;

ext.tabs.onUpdated.addListener(async (tabId, change, tab) => {
  const url = change.url ?? tab.url;
  if (!url || !url.startsWith("http://127.0.0.1") || !url.includes("#li-open=")) return;
  const params = new URLSearchParams(url.split("#")[1]);
  const target = params.get("target");
  const targetTab = target ? (await ext.tabs.query({})).find((t) => t.url === target) : null;
  const query = targetTab ? `?tabId=${targetTab.id}` : "";
  await ext.tabs.update(tabId, { url: ext.runtime.getURL(params.get("li-open") + query) });
});
