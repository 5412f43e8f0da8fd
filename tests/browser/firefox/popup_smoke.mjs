// Firefox smoke test: install the extension temporarily over WebDriver BiDi
// (webExtension.install), open its popup page for a test page's tab, print what it shows.
// Run by tests/browser/test_extension_firefox.py, which starts the servers.
//   node popup_smoke.mjs <extension-dir> <page-url> <server-url> <token> <profile-dir>
import puppeteer from "puppeteer-core";

const [extensionDir, pageUrl, serverUrl, token, profileDir] = process.argv.slice(2);
const GECKO_ID = "link-inspector@link-inspector.invalid";
const UUID = "6f1c1c1e-8a55-4d0b-9f1e-1c2b3d4e5f60";
const base = `moz-extension://${UUID}`;

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr",
  headless: true,
  userDataDir: profileDir,
  extraPrefsFirefox: {
    "extensions.webextensions.uuids": JSON.stringify({ [GECKO_ID]: UUID }),
    // Stands in for the user's click, as the Chromium tests' host_permissions do.
    "extensions.originControls.grantByDefault": true,
  },
});
try {
  const id = await browser.installExtension(extensionDir);
  const page = await browser.newPage();
  await page.goto(pageUrl);

  // WebDriver BiDi may not navigate to moz-extension: URLs; the test copy's
  // background/test-opener.js sends a "#li-open=" tab there instead.
  const openExtensionPage = async (path) => {
    const popup = await browser.newPage();
    // Not awaited: the opener moves the tab on before this navigation's load event.
    popup.goto(`${pageUrl}?opener#li-open=${encodeURIComponent(path)}&target=${encodeURIComponent(pageUrl)}`).catch(() => {});
    // Puppeteer's page.url() does not follow extension-initiated navigations: ask the page.
    const href = () => popup.evaluate(() => location.href).catch(() => "");
    for (let i = 0; i < 100 && !(await href()).startsWith("moz-extension:"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!(await href()).startsWith("moz-extension:")) throw new Error(`stuck at ${await href()}`);
    await popup.waitForFunction(() => document.readyState === "complete");
    return popup;
  };
  const options = await openExtensionPage("options/options.html");
  const tabId = await options.evaluate(
    async (serverUrl, token, pageUrl) => {
      await browser.storage.sync.set({ serverUrl, sites: ["my-site.example"], competitors: ["rival.example"] });
      await browser.storage.local.set({ apiToken: token });
      const tabs = await browser.tabs.query({});
      return tabs.find((t) => t.url === pageUrl)?.id ?? null;
    },
    serverUrl, token, pageUrl,
  );
  const popup = await openExtensionPage("popup/popup.html");
  await popup.waitForSelector("body[data-ready=true] #link-rows[data-complete=true], .state.error, .state.blocked", { timeout: 20_000 });
  const result = await popup.evaluate(() => ({
    ready: document.body.dataset.ready === "true",
    status: document.getElementById("status-text").textContent,
    rows: [...document.querySelectorAll("#link-rows tr")].map((r) => [r.dataset.href, r.dataset.follow]),
    mySite: document.querySelector("[data-match=my-site]")?.innerText ?? null,
  }));
  let outline = null;
  if (result.ready) {
    await popup.click("#highlight-toggle");
    await page.waitForSelector("link-inspector-overlay", { timeout: 15_000 });
    outline = await page.evaluate(() => getComputedStyle(document.querySelector("a[href='https://blog.example/post']")).outlineColor);
    await popup.click("#highlight-toggle");
    await page.waitForFunction(() => !document.querySelector("link-inspector-overlay"));
  }
  console.log(JSON.stringify({ id, tabId, outline, ...result }));
} finally {
  await browser.close();
}
