// Injected before collect.js and highlight.js, in every frame they run in: the links and
// frames of this document in shadow-including tree order (a node, then its shadow root's
// contents, then its children — the DOM standard's order), open and closed shadow roots
// alike. Content scripts cannot import modules; this sets globalThis.linkInspectorTree in
// the extension's isolated world, once per frame.
globalThis.linkInspectorTree ??= (() => {
  const HTML_NS = "http://www.w3.org/1999/xhtml";
  const ext = globalThis.browser ?? globalThis.chrome;
  // attachShadow() accepts these and custom elements only (DOM standard, "valid shadow host
  // name"), so no other element can host a root: asking costs ~5 µs an element in Chrome.
  const HOSTS = new Set([
    "article", "aside", "blockquote", "body", "div", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "main", "nav", "p", "section", "span",
  ]);
  // Firefox gives content scripts element.openOrClosedShadowRoot; Chrome has chrome.dom.
  const viaElement = "openOrClosedShadowRoot" in document.documentElement;
  const domApi = ext?.dom?.openOrClosedShadowRoot ? ext.dom : null;

  /** Whether a built-in host element has no light content (text or elements) of its own. */
  const empty = (el) => el.firstElementChild === null && !/\S/.test(el.textContent);

  /**
   * The element's shadow root, open or closed, or null. Closed roots are asked for on custom
   * elements (web components) and on built-in hosts without light content of their own: a
   * <div> that shows a closed root has nothing else, or only what its slots take. Asking every
   * <p> and <div> would cost ~20 ms on a 4,000-link page; a closed root on a built-in element
   * that also has slotted light content is the case this leaves out.
   */
  function shadowRootOf(el) {
    const open = el.shadowRoot;
    if (open) return open;
    const name = el.localName;
    if (!(name.includes("-") || (HOSTS.has(name) && empty(el))) || el.namespaceURI !== HTML_NS) return null;
    try {
      if (viaElement) return el.openOrClosedShadowRoot ?? null;
      return domApi ? domApi.openOrClosedShadowRoot(el) ?? null : null;
    } catch {
      return null; // an element from another document (a same-origin frame's) or a binding quirk
    }
  }

  /**
   * Every a[href]/area[href] (HTML namespace) and iframe/frame of doc, each with `shadow`
   * (inside a shadow tree), and every shadow root found. A <template>'s content is a separate
   * fragment the walker never enters: it stays inert.
   */
  function walk(doc) {
    const links = [];
    const frames = [];
    const roots = [];
    const visit = (root, shadow) => {
      const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
      for (let el = walker.nextNode(); el; el = walker.nextNode()) {
        const name = el.localName;
        if (name === "a" || name === "area") {
          if (el.namespaceURI === HTML_NS && el.hasAttribute("href")) links.push({ el, shadow });
          continue; // neither can host a shadow root
        }
        if ((name === "iframe" || name === "frame") && el.namespaceURI === HTML_NS) frames.push({ el, shadow });
        const shadowRoot = shadowRootOf(el);
        if (shadowRoot) {
          roots.push(shadowRoot);
          visit(shadowRoot, true);
        }
      }
    };
    if (doc.documentElement) visit(doc, false);
    return { links, frames, roots };
  }

  /** The element's parent in the flat tree: its slot, its parent, or its shadow root's host. */
  function flatParent(el) {
    const slot = el.assignedSlot;
    if (slot) return slot;
    const parent = el.parentElement;
    if (parent) return parent;
    const root = el.parentNode;
    return root && root.nodeType === Node.DOCUMENT_FRAGMENT_NODE && root.host ? root.host : null;
  }

  /** Where an element sits in its document, as a string both a frame and its parent can compute. */
  function domKey(el) {
    const parts = [];
    for (let node = el; node; ) {
      const parent = node.parentNode;
      if (!parent) break;
      const index = Array.prototype.indexOf.call(parent.childNodes, node);
      if (parent.nodeType === Node.DOCUMENT_FRAGMENT_NODE && parent.host) {
        parts.push(`#${index}`);
        node = parent.host;
      } else {
        parts.push(String(index));
        node = parent;
      }
    }
    return parts.reverse().join("/");
  }

  return { walk, shadowRootOf, flatParent, domKey, HTML_NS };
})();
