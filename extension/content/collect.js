// Injected on the user's click. Its last expression is the result: the live DOM (so links
// added by JavaScript are seen), the final URL and the document's charset.
(() => {
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  return {
    url: location.href,
    html: document.documentElement ? doctype + document.documentElement.outerHTML : "",
    charset: document.characterSet,
    contentType: document.contentType,
  };
})();
