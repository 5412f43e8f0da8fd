// Firefox smoke test of the popup: Debian's firefox-esr driven over WebDriver BiDi by
// puppeteer-core (no downloaded browser), the extension installed temporarily
// (webExtension.install), the real server and a test page on loopback.
//
// Input: one JSON argument {extensionDir, extensionId, extensionUuid, pageUrl, waitFor,
// serverUrl, apiToken, sites, competitors, screenshot, highlightScreenshot,
// shippedExtensionDir}. Output: one JSON line on stdout with what the options page, the
// popup and the page showed; the pytest side (test_firefox_popup.py) makes the assertions.
import puppeteer from "puppeteer-core";

const FIREFOX = "/usr/bin/firefox-esr";
const DEADLINE_MS = 55_000;
const LAUNCH_MS = 30_000; // Firefox takes 3 s to start on an idle machine, 13 s on a busy one.
const STEP_MS = 15_000;

const config = JSON.parse(process.argv[2]);
const started = Date.now();
const timings = {};
const mark = (name) => (timings[name] = Date.now() - started);

// Loopback only: nothing in the profile may reach out on its own.
const QUIET_PREFS = {
  "app.shield.optoutstudies.enabled": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "captivedetect.canonicalURL": "",
  "datareporting.healthreport.uploadEnabled": false,
  "extensions.blocklist.enabled": false,
  "extensions.systemAddon.update.enabled": false,
  "messaging-system.rsexperimentloader.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.prefetch-next": false,
  "network.proxy.type": 0,
  "network.trr.mode": 5,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.server": "",
};

async function launch() {
  return puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    protocol: "webDriverBiDi",
    headless: true,
    // Without it BiDi refuses to navigate a tab to moz-extension:// ("Navigation to ... is
    // not allowed in this context"), and the popup page could not be opened at all.
    args: ["--remote-allow-system-access"],
    extraPrefsFirefox: {
      ...QUIET_PREFS,
      // A fixed moz-extension:// host, so the popup's URL is known before install.
      "extensions.webextensions.uuids": JSON.stringify({ [config.extensionId]: config.extensionUuid }),
      // ...and the same host after the test copy is swapped for the shipped extension.
      "extensions.webextensions.keepUuidOnUninstall": true,
      // Grant optional permissions without the doorhanger a headless browser cannot click.
      // permissions.request() still has to come from a user input handler.
      "extensions.webextOptionalPermissionPrompts": false,
    },
    defaultViewport: { width: 780, height: 600 },
    timeout: LAUNCH_MS,
    protocolTimeout: STEP_MS,
  });
}

async function until(what, probe, ms = STEP_MS) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // The document is being replaced; ask again.
    }
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A new tab showing an extension page. Firefox's BiDi never reports the end of a navigation
 * into the extension process (its NavigationManager throws "context is null"), so the page is
 * polled instead of awaiting goto(). */
async function openExtensionPage(browser, path) {
  const url = `moz-extension://${config.extensionUuid}/${path}`;
  const page = await browser.newPage();
  page.goto(url, { timeout: STEP_MS }).catch(() => {});
  await until(`${url} to load`, () =>
    page.evaluate((expected) => location.href === expected && document.readyState === "complete", url),
  );
  return page;
}

async function fillOptions(options) {
  const fields = {
    "#server-url": config.serverUrl,
    "#api-token": config.apiToken,
    "#sites": config.sites.join("\n"),
    "#competitors": config.competitors.join("\n"),
  };
  // The page fills the form from storage after load; wait for that before typing over it.
  await until("the options form to fill", () => options.$eval("#server-url", (input) => input.value !== ""));
  for (const [selector, value] of Object.entries(fields)) {
    await options.$eval(selector, (input) => (input.value = ""));
    await options.type(selector, value);
  }
  const resultOf = (selector) =>
    until(`${selector} to settle`, () =>
      options.$eval(selector, (node) =>
        node.textContent && !node.classList.contains("info") ? { text: node.textContent, kind: node.className } : null,
      ),
    );
  await options.click("#save");
  const saved = await resultOf("#save-result");
  await options.click("#test-connection");
  const connection = await resultOf("#connection-result");
  const stored = await options.evaluate(async () => ({
    ...(await browser.storage.sync.get(null)),
    apiTokenSet: Boolean((await browser.storage.local.get("apiToken")).apiToken),
  }));
  const permissions = await options.evaluate(() => browser.permissions.getAll());
  return { saved, connection, stored, permissions };
}

async function tabIdOf(extensionPage, url) {
  return until(`a tab showing ${url}`, () =>
    extensionPage.evaluate(async (wanted) => (await browser.tabs.query({})).find((t) => t.url === wanted)?.id, url),
  );
}

async function readPopup(popup) {
  await until("the popup to settle", () =>
    popup.evaluate(() => document.body.dataset.ready === "true" || Boolean(document.querySelector(".state.error, .state.blocked"))),
  );
  // The second read (what the page's layout tells) follows the table.
  await until("the live page's facts", () =>
    popup.evaluate(() => document.body.dataset.ready !== "true" || ["known", "unknown"].includes(document.body.dataset.live)),
  );
  return popup.evaluate(() => ({
    ready: document.body.dataset.ready === "true",
    live: document.body.dataset.live ?? null,
    status: document.getElementById("status-text").textContent,
    rows: [...document.querySelectorAll("#link-rows tr")].map((r) => [r.dataset.href, r.dataset.follow]),
    total: document.querySelector("[data-stat=total] .tile-value")?.textContent ?? null,
    mySite: document.querySelector("[data-match=my-site]")?.innerText ?? null,
    competitors: Object.fromEntries(
      [...document.querySelectorAll("[data-match=competitor]")].map((card) => [card.dataset.site, card.innerText]),
    ),
  }));
}

/** Outlined links and overlay on the page: the trace "Highlight on page" leaves. */
const highlightTrace = (page) =>
  page.evaluate(() => ({
    outlined: [...document.querySelectorAll("a[href]")].filter((a) => a.style.outline !== "").length,
    styled: document.querySelectorAll("a[style]").length,
    overlay: document.querySelectorAll("link-inspector-overlay").length,
  }));

async function toggleHighlight(popup, page, wanted) {
  await popup.click("#highlight-toggle");
  return until(`highlight ${wanted ? "on" : "off"}`, async () => {
    const trace = await highlightTrace(page);
    return (trace.overlay > 0) === wanted ? trace : null;
  });
}

/**
 * The frame on another site: the popup says it was not read; its button asks for that site
 * (prompts are off by pref, the user-input rule is not: a click) and reads the page again.
 */
async function grantFrames(popup) {
  const seen = () =>
    popup.evaluate(() => ({
      banner: document.querySelector("[data-banner=unread-frames]")?.textContent ?? null,
      rows: [...document.querySelectorAll("#link-rows tr")].map((r) => r.dataset.href),
    }));
  const before = await seen();
  if (!before.banner) return { before, after: null, permissions: null };
  await popup.click("#grant-frames");
  const after = await until("the frame's links after the grant", async () => {
    const now = await seen();
    return now.rows.some((href) => href?.endsWith("/from-frame")) ? now : null;
  });
  const permissions = await popup.evaluate(() => browser.permissions.getAll());
  return { before, after, permissions };
}

/** The shipped manifest (no host permissions): pressing Save must obtain the server's origin. */
async function shippedManifestGrant(browser, testCopyId) {
  await browser.uninstallExtension(testCopyId);
  const installedId = await browser.installExtension(config.shippedExtensionDir);
  const options = await openExtensionPage(browser, "options/options.html");
  const before = await options.evaluate(() => browser.permissions.getAll());
  const after = await fillOptions(options);
  return { installedId, before, ...after };
}

async function run(browser) {
  mark("launched");
  const installedId = await browser.installExtension(config.extensionDir);
  mark("installed");

  const options = await openExtensionPage(browser, "options/options.html");
  const optionsResult = await fillOptions(options);
  mark("options saved");

  const page = await browser.newPage();
  await page.goto(config.pageUrl, { waitUntil: "load", timeout: STEP_MS });
  await page.waitForSelector(config.waitFor, { timeout: STEP_MS });
  const tabId = await tabIdOf(options, config.pageUrl);

  const popup = await openExtensionPage(browser, `popup/popup.html?tabId=${tabId}`);
  const shown = await readPopup(popup);
  mark("popup settled");
  await popup.screenshot({ path: config.screenshot, fullPage: true });
  mark("screenshot");
  // The background script sets the badge when the popup reports; "" if it never does.
  const badge = await until(
    "the toolbar badge",
    () => options.evaluate((id) => browser.action.getBadgeText({ tabId: id }), tabId),
    5_000,
  ).catch(() => "");

  const highlightOn = shown.ready ? await toggleHighlight(popup, page, true) : null;
  if (highlightOn) {
    await page.bringToFront();
    await page.screenshot({ path: config.highlightScreenshot });
  }
  const highlightOff = shown.ready ? await toggleHighlight(popup, page, false) : null;
  mark("highlight toggled");
  const grant = shown.ready ? await grantFrames(popup) : null;
  mark("frames granted");

  const pageState = { url: page.url(), html: await page.evaluate(() => document.documentElement.outerHTML) };
  const shipped = await shippedManifestGrant(browser, installedId);
  mark("shipped manifest saved");

  return {
    firefox: await browser.version(),
    installedId,
    options: optionsResult,
    tabId,
    popup: shown,
    badge,
    highlight: { on: highlightOn, off: highlightOff },
    grant,
    page: pageState,
    shipped,
  };
}

async function main() {
  let browser;
  const deadline = setTimeout(() => {
    process.stderr.write(`popup_smoke: over ${DEADLINE_MS} ms, killing Firefox\n`);
    browser?.process()?.kill("SIGKILL");
    process.exit(3);
  }, DEADLINE_MS);
  try {
    browser = await launch();
    const result = await run(browser);
    process.stdout.write(JSON.stringify({ ...result, timings }) + "\n");
  } finally {
    const closing = browser?.close().catch(() => {});
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    browser?.process()?.kill("SIGKILL");
    clearTimeout(deadline);
  }
}

main().catch((error) => {
  process.stderr.write(`popup_smoke: ${error.stack ?? error}\n`);
  process.exit(1);
});
