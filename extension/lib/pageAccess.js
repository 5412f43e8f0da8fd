// Pages an extension cannot read, and what to tell the user about them.

const BROWSER_SCHEMES = new Set([
  "chrome:", "chrome-untrusted:", "chrome-search:", "edge:", "brave:", "opera:", "vivaldi:",
  "about:", "chrome-extension:", "moz-extension:", "view-source:", "devtools:", "resource:",
]);

const STORES = [
  ["chromewebstore.google.com", "/"],
  ["chrome.google.com", "/webstore"],
  ["microsoftedge.microsoft.com", "/addons"],
  ["addons.mozilla.org", "/"],
];

/** A sentence explaining why this URL cannot be inspected, or null if it can be tried. */
export function restrictionFor(url) {
  if (!url) return null; // unknown: try, and explain the error if injection fails
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (BROWSER_SCHEMES.has(parsed.protocol)) {
    return "This is one of the browser's own pages (settings, new tab, extensions). Browsers do not let extensions read them.";
  }
  for (const [host, prefix] of STORES) {
    if (parsed.hostname === host && parsed.pathname.startsWith(prefix)) {
      return "This is an extension store. Browsers block every extension on their stores, so its links cannot be inspected.";
    }
  }
  if (parsed.protocol === "data:" || parsed.protocol === "blob:") {
    return "This page has no web address (data: or blob: URL), so its links cannot be analysed.";
  }
  return null;
}

/** A sentence for a document that is not HTML (PDF viewer, image, plain text). */
export function nonHtmlExplanation(contentType) {
  if (contentType === "text/html" || contentType === "application/xhtml+xml") return null;
  if (contentType === "application/pdf") {
    return "This is a PDF shown by the browser's viewer. PDFs have no HTML links for Link Inspector to read.";
  }
  return `This document is ${contentType || "not HTML"}, not a web page: there are no HTML links to inspect.`;
}

/** A sentence for a failed script injection. */
export function injectionErrorExplanation(url, error) {
  const message = String(error?.message ?? error);
  if (url && url.startsWith("file:")) {
    return "To inspect local files, open the browser's extensions page and turn on \"Allow access to file URLs\" for Link Inspector.";
  }
  if (/cannot be scripted|cannot access|extensions gallery|missing host permission|permission/i.test(message)) {
    return "The browser does not let extensions read this page. Click the Link Inspector button on the page itself (it grants access to that tab), or open a regular web page.";
  }
  if (/no tab with id|tab was closed/i.test(message)) {
    return "That tab is gone. Open the page again and click Link Inspector.";
  }
  return `The page could not be read: ${message}`;
}
