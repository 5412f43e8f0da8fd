// Runs in the page, injected on the user's click with scripting.executeScript({func:
// readPage}) by popup/start.js: the function's source is what is injected, so it must use
// nothing from its surroundings. It returns the live DOM (so links added by JavaScript are
// seen), the final URL and the document's charset.
// A classic script, not a module: the popup loads it before any module, so reading the page
// starts the moment the popup opens (see popup/start.js).
// eslint-disable-next-line no-unused-vars -- used by popup/start.js
function readPage() {
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  return {
    url: location.href,
    html: document.documentElement ? doctype + document.documentElement.outerHTML : "",
    charset: document.characterSet,
    contentType: document.contentType,
  };
}
