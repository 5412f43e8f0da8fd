// Runs in the page, injected on the user's click by popup/page.js with
// scripting.executeScript({func: readPage}): the function's source is what is injected, so
// it must use nothing from this module's scope. It returns the live DOM (so links added by
// JavaScript are seen), the final URL and the document's charset.
export function readPage() {
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  return {
    url: location.href,
    html: document.documentElement ? doctype + document.documentElement.outerHTML : "",
    charset: document.characterSet,
    contentType: document.contentType,
  };
}
