// Injected on demand by the popup into every frame it may read (after tree.js): outlines
// links by status, shows a legend (top frame) and a hover tooltip, scrolls to a link and
// flashes it. Links in shadow roots, open or closed, are found as collect.js found them.
// Everything it adds is removed on "off": the page's own style attributes are restored byte
// for byte. Page data is only ever set as textContent. The popup defines
// globalThis.linkInspectorMessages before injecting this.
(() => {
  if (globalThis.linkInspectorPage) return;
  const ext = globalThis.browser ?? globalThis.chrome;
  const MESSAGES = globalThis.linkInspectorMessages;
  const tree = globalThis.linkInspectorTree;

  let active = null; // {entries, host, tooltip, listeners}

  /** This document's links in the order collect.js sent them (shadow-including tree order). */
  function linkElements() {
    return tree.walk(document).links.map((link) => link.el);
  }

  function findElement(elements, item) {
    const byIndex = elements[item.index];
    if (byIndex && byIndex.href === item.href) return byIndex;
    return elements.find((el) => el.href === item.href) ?? byIndex ?? null;
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const CSS = `
    :host { all: initial; }
    .legend { position: fixed; right: 12px; bottom: 12px; z-index: 2147483647;
      font: 12px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
      background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px;
      box-shadow: 0 4px 14px rgba(0,0,0,.15); min-width: 170px; }
    .legend h2 { all: unset; display: block; font-weight: 600; margin-bottom: 4px; }
    .row { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
    .swatch { width: 22px; height: 10px; box-sizing: border-box; border-width: 3px; border-top-style: none;
      border-left-style: none; border-right-style: none; }
    .count { margin-left: auto; color: #656d76; font-variant-numeric: tabular-nums; }
    .tip { position: fixed; z-index: 2147483647; max-width: 420px; pointer-events: none;
      font: 12px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #fff;
      background: #1f2328; border-radius: 6px; padding: 6px 8px; box-shadow: 0 4px 14px rgba(0,0,0,.25);
      word-break: break-all; }
    .tip[hidden] { display: none; }
    .tip strong { font-weight: 600; }
    .tip .muted { color: #c9d1d9; }
  `;

  function buildUi(legend, counts) {
    const host = document.createElement("link-inspector-overlay");
    const root = host.attachShadow({ mode: "open" });
    root.appendChild(make("style", null, CSS));
    if (counts) {
      const box = make("div", "legend");
      box.appendChild(make("h2", null, "Link Inspector"));
      for (const entry of legend) {
        const row = make("div", "row");
        const swatch = make("span", "swatch");
        swatch.style.borderBottom = `3px ${entry.line} ${entry.color}`;
        row.append(swatch, make("span", null, entry.label), make("span", "count", String(counts[entry.id] ?? 0)));
        box.appendChild(row);
      }
      root.append(box);
    }
    const tooltip = make("div", "tip");
    tooltip.hidden = true;
    root.append(tooltip);
    document.documentElement.appendChild(host);
    return { host, tooltip };
  }

  function fillTooltip(tooltip, item) {
    tooltip.replaceChildren();
    tooltip.append(make("strong", null, item.statusLabel));
    tooltip.append(make("div", null, `rel: ${item.rel || "(none)"}`));
    if (item.reasons) tooltip.append(make("div", "muted", item.reasons));
    tooltip.append(make("div", "muted", item.href));
  }

  /** counts: the legend's counts for the whole tab (top frame), or null (a frame: no legend). */
  function highlightOn({ items, legend, counts }) {
    highlightOff();
    const elements = linkElements();
    const entries = new Map();
    const roots = new Set([document]);
    for (const item of items) {
      const el = findElement(elements, item);
      const style = legend.find((entry) => entry.id === item.status);
      if (!el || !style || entries.has(el)) continue;
      entries.set(el, { item, original: el.getAttribute("style") });
      el.style.setProperty("outline", `3px ${style.line} ${style.color}`, "important");
      el.style.setProperty("outline-offset", "1px", "important");
      roots.add(el.getRootNode());
    }
    const { host, tooltip } = buildUi(legend, counts);
    // A shadow root's own listeners see the link itself; the document sees only its host.
    const linkOf = (target) => (target instanceof Element ? target.closest("a[href], area[href]") : null);
    const onOver = (event) => {
      const entry = entries.get(linkOf(event.target));
      if (!entry) return;
      fillTooltip(tooltip, entry.item);
      tooltip.hidden = false;
      onMove(event);
    };
    const onMove = (event) => {
      if (tooltip.hidden) return;
      const x = Math.min(event.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
      const y = event.clientY + 18 + tooltip.offsetHeight > window.innerHeight
        ? event.clientY - tooltip.offsetHeight - 10
        : event.clientY + 18;
      tooltip.style.left = `${Math.max(4, x)}px`;
      tooltip.style.top = `${Math.max(4, y)}px`;
    };
    const onOut = (event) => {
      if (entries.has(linkOf(event.target)) && !entries.has(linkOf(event.relatedTarget))) tooltip.hidden = true;
    };
    const listeners = [];
    for (const root of roots) {
      for (const [type, fn] of [["mouseover", onOver], ["mousemove", onMove], ["mouseout", onOut]]) {
        root.addEventListener(type, fn, true);
        listeners.push([root, type, fn]);
      }
    }
    active = { entries, host, listeners };
    return { on: true, highlighted: entries.size };
  }

  function highlightOff() {
    if (!active) return { on: false };
    for (const [el, { original }] of active.entries) {
      if (original === null) el.removeAttribute("style");
      else el.setAttribute("style", original);
    }
    for (const [root, type, fn] of active.listeners) root.removeEventListener(type, fn, true);
    active.host.remove();
    active = null;
    return { on: false };
  }

  function scrollToLink(item) {
    const el = findElement(linkElements(), item);
    if (!el) return { found: false };
    if (el.getClientRects().length === 0) return { found: true, visible: false };
    el.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
    el.animate(
      [
        { boxShadow: "0 0 0 6px rgba(230, 159, 0, 1)", backgroundColor: "rgba(240, 228, 66, .75)" },
        { boxShadow: "0 0 0 6px rgba(230, 159, 0, 0)", backgroundColor: "rgba(240, 228, 66, 0)" },
      ],
      { duration: 600, iterations: 3, easing: "ease-out" },
    );
    return { found: true, visible: true };
  }

  globalThis.linkInspectorPage = true;
  ext.runtime.onMessage.addListener((message, _sender, sendResponse) => {
    switch (message?.type) {
      case MESSAGES.HIGHLIGHT_ON:
        sendResponse(highlightOn(message));
        break;
      case MESSAGES.HIGHLIGHT_OFF:
        sendResponse(highlightOff());
        break;
      case MESSAGES.HIGHLIGHT_STATE:
        sendResponse({ on: active !== null });
        break;
      case MESSAGES.SCROLL_TO_LINK:
        sendResponse(scrollToLink(message.item));
        break;
      default:
        return false;
    }
    return false;
  });
})();
