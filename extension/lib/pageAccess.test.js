import assert from "node:assert/strict";
import { test } from "node:test";
import { injectionErrorExplanation, nonHtmlExplanation, restrictionFor } from "./pageAccess.js";

test("browser pages and extension stores are explained before trying", () => {
  for (const url of ["chrome://settings/", "edge://extensions", "about:blank", "chrome-extension://abc/popup.html", "view-source:https://a.example/"]) {
    assert.match(restrictionFor(url), /browser's own pages/, url);
  }
  for (const url of ["https://chromewebstore.google.com/detail/x", "https://chrome.google.com/webstore/category", "https://addons.mozilla.org/en-US/firefox/", "https://microsoftedge.microsoft.com/addons/x"]) {
    assert.match(restrictionFor(url), /extension store/, url);
  }
});

test("ordinary and unknown URLs are tried", () => {
  assert.equal(restrictionFor("https://example.com/"), null);
  assert.equal(restrictionFor("https://chrome.google.com/search"), null);
  assert.equal(restrictionFor(undefined), null);
});

test("PDFs and other non-HTML documents are explained", () => {
  assert.match(nonHtmlExplanation("application/pdf"), /PDF/);
  assert.match(nonHtmlExplanation("image/png"), /image\/png/);
  assert.equal(nonHtmlExplanation("text/html"), null);
  assert.equal(nonHtmlExplanation("application/xhtml+xml"), null);
});

test("injection failures become instructions", () => {
  assert.match(injectionErrorExplanation("file:///tmp/a.html", new Error("Cannot access")), /Allow access to file URLs/);
  assert.match(injectionErrorExplanation("https://a.example/", new Error("Cannot access contents of the page. Extension manifest must request permission")), /does not let extensions read this page/);
  assert.match(injectionErrorExplanation(undefined, new Error("No tab with id: 5.")), /tab is gone/);
});
