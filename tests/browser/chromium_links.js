// Chromium's own view of a document, run in the page by test_extension_every_link.py: every
// a[href]/area[href] in shadow-including tree order, with a.href, relList, and whether a hit
// test in the page reaches it. Closed roots are reached as only the page can: through the
// roots it kept (window.closedRoots).
(() => {
  const closed = window.closedRoots ?? [];
  const rootOf = (el) => el.shadowRoot ?? closed.find((r) => r.host === el) ?? null;
  const opacity = (el) => {
    let value = 1;
    for (let n = el; n; n = n.parentElement ?? n.getRootNode().host) value *= Number(getComputedStyle(n).opacity);
    return value;
  };
  const seen = (el) => {
    if (el.getClientRects().length === 0 || opacity(el) === 0) return false;
    el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    const box = el.getBoundingClientRect();
    const hit = el.getRootNode().elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  };
  const links = [];
  const visit = (root, shadow) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let el = walker.nextNode(); el; el = walker.nextNode()) {
      const name = el.localName;
      if ((name === "a" || name === "area") && el.namespaceURI === "http://www.w3.org/1999/xhtml" && el.hasAttribute("href")) {
        links.push({ href: el.href, rel: [...el.relList], shadow, expect_hidden: el.dataset.expectHidden === "true", el });
      }
      const inner = rootOf(el);
      if (inner) visit(inner, true);
    }
  };
  visit(document, false);
  const view = links.map(({ el, ...link }) => ({ ...link, seen: seen(el) }));
  scrollTo(0, 0);
  return view;
})
