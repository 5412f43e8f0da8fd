// Injected by popup/start.js into every frame the extension may read (after tree.js), on the
// user's click. Its value — the last expression — is what this document holds:
//   {url, html, charset, contentType, path, live_links: null, link_count,
//    children: [{i, k, src, hidden: null}], shadow_roots, ms}
// and defines linkInspectorLive(), which the popup calls once the table is shown:
//   {live_links: '[{"href", "hidden"}, ...]' (JSON), frames_hidden: [bool per child], ms}
// - html: the live DOM with every shadow root (open, closed, nested) serialised as
//   declarative shadow DOM (<template shadowrootmode>), so the server sees what is rendered;
// - live_links: every a[href]/area[href] in shadow-including tree order, with the live
//   element's .href and whether the user cannot see it;
// - path and children: where this frame sits in the tab's frame tree (lib/frames.js puts the
//   frames together), and the frames this document contains.
(() => {
  const tree = globalThis.linkInspectorTree;
  const started = performance.now();

  function serialise(doc, roots) {
    const root = doc.documentElement;
    if (!root) return "";
    const doctype = doc.doctype ? `<!DOCTYPE ${doc.doctype.name}>` : "";
    if (roots.length === 0 || typeof root.getHTML !== "function") return doctype + root.outerHTML;
    // getHTML() serialises the children only: the <html> start tag comes from a shallow clone.
    const shell = root.cloneNode(false).outerHTML;
    const end = shell.lastIndexOf("</");
    const inner = root.getHTML({ serializableShadowRoots: true, shadowRoots: roots });
    return doctype + shell.slice(0, end) + inner + shell.slice(end);
  }

  // --- Can the user see it? Every read below is a layout read: no write happens between
  // them, so the page lays out once. Ancestors are judged once each (cached). Built when
  // first asked (linkInspectorLive, after the table is shown): the page's first read does
  // not wait for layout.
  function visibility() {
    const view = document.defaultView;
    const scroller = document.scrollingElement ?? document.documentElement;
    const rtl = document.documentElement ? view.getComputedStyle(document.documentElement).direction === "rtl" : false;
    const width = scroller?.scrollWidth ?? 0;
    const height = scroller?.scrollHeight ?? 0;
    const client = scroller?.clientWidth ?? 0;
    // What scrolling can reach, in document coordinates (an RTL page scrolls to the left; a
    // page whose root or body says overflow-x: hidden does not scroll sideways at all).
    const sideways = [document.documentElement, document.body].every(
      (el) => !el || !/hidden|clip/.test(view.getComputedStyle(el).overflowX),
    );
    const across = sideways ? width : client;
    const reach = { left: rtl ? client - across : 0, right: rtl ? client : across, top: 0, bottom: height };
    const chains = new Map(); // element -> {clips, overflow}: judged on the element and its ancestors

    const px = (value) => (value === "auto" ? null : parseFloat(value));

    /** clip: rect(top, right, bottom, left) that leaves nothing (absolutely positioned boxes only). */
    function clipHidesAll(style) {
      const position = style.position;
      if (position !== "absolute" && position !== "fixed") return false;
      if (!style.clip.startsWith("rect(")) return false;
      const [top, right, bottom, left] = style.clip.slice(5, -1).split(/[\s,]+/).map(px);
      const w = right === null || left === null ? Infinity : right - (left ?? 0);
      const h = bottom === null || top === null ? Infinity : bottom - (top ?? 0);
      return w <= 0 || h <= 0;
    }

    /** clip-path shapes that leave nothing: inset(50%) and more, circle(0), ellipse(0 0). */
    function clipPathHidesAll(value, el) {
      if (!value || value === "none") return false;
      const shape = /^(inset|circle|ellipse)\(([^)]*)\)/.exec(value);
      if (!shape) return false;
      const args = shape[2].split(/\s+at\s+|\s+round\s+/)[0].trim().split(/\s+/);
      if (shape[1] !== "inset") return args.every((a) => parseFloat(a) === 0);
      const [t, r = t, b = t, l = r] = args;
      const box = el.getBoundingClientRect();
      const len = (v, size) => (v.endsWith("%") ? (parseFloat(v) / 100) * size : parseFloat(v));
      return len(t, box.height) + len(b, box.height) >= box.height || len(l, box.width) + len(r, box.width) >= box.width;
    }

    const NO_CHAIN = Object.freeze({ clips: false, overflow: false });

    function judge(el, above) {
      if (above.clips) return above;
      // The root's and body's overflow apply to the viewport: `reach` accounts for them.
      if (el === document.documentElement || el === document.body) return above;
      const style = view.getComputedStyle(el);
      // Three reads in the common case (~1 µs each): overflow, position, clip-path.
      const overflow = style.overflow;
      const clipped = overflow !== "visible";
      let clips = clipHidesAll(style) || clipPathHidesAll(style.clipPath, el);
      if (!clips && clipped) {
        const [ox, oy = ox] = overflow.split(" ").map((v) => v !== "visible");
        const box = el.getBoundingClientRect(); // an overflow box of ~0 size shows nothing
        clips = (ox && box.width < 1) || (oy && box.height < 1);
      }
      return { clips, overflow: above.overflow || clipped };
    }

    /** {clips: nothing inside can show, overflow: inside a box that clips or scrolls}. */
    function chainOf(el) {
      // Up to the first ancestor already judged, then down again: a loop, since script-built
      // DOMs can be deeper than the stack.
      const todo = [];
      let above = NO_CHAIN;
      if (!el) return NO_CHAIN;
      for (let node = el; node; node = tree.flatParent(node)) {
        const known = chains.get(node);
        if (known) {
          above = known;
          break;
        }
        todo.push(node);
      }
      for (let i = todo.length - 1; i >= 0; i--) {
        above = judge(todo[i], above);
        chains.set(todo[i], above);
      }
      return above;
    }

    const VISIBILITY = { opacityProperty: true, visibilityProperty: true };
    const seen = (box) => box.width >= 2 && box.height >= 2;

    /** The box the user would see: the element's, or (an inline around a block) a child's. */
    function boxOf(el, box) {
      if (seen(box)) return box;
      let budget = 8;
      for (let child = el.firstElementChild; child && budget > 0; child = child.nextElementSibling, budget--) {
        const inner = child.getBoundingClientRect();
        if (seen(inner) && child.checkVisibility(VISIBILITY)) return inner;
      }
      return null;
    }

    /** An <area> is seen through the image that uses its map. */
    function imageOf(area) {
      const map = area.closest("map");
      const name = map?.name || map?.id;
      if (!name) return null;
      for (const img of area.getRootNode().querySelectorAll("img[usemap], object[usemap]")) {
        if (img.getAttribute("usemap").replace(/^#/, "") === name) return img;
      }
      return null;
    }

    let scroll = null; // read once: every read of scrollX asks whether layout is clean

    /**
     * true when the user cannot see el: not rendered, visibility:hidden, opacity 0 (checked up
     * the flat tree by checkVisibility), ~0 size, off-screen where no scroll reaches, or inside
     * an ancestor that clips everything away (clip, clip-path, an overflow box of ~0 size).
     * The element's own clip is not read (a style read each): a visually-hidden link is ~0 size.
     */
    function hidden(el) {
      const target = el.localName === "area" ? imageOf(el) : el;
      if (!target || !target.checkVisibility(VISIBILITY)) return true;
      const box = boxOf(target, target.getBoundingClientRect());
      if (!box) return true;
      const chain = chainOf(tree.flatParent(target));
      if (chain.clips) return true;
      if (chain.overflow) return false; // past the page's edge inside a scroller: it may scroll into view
      scroll ??= { x: view.scrollX, y: view.scrollY };
      const left = box.left + scroll.x;
      const top = box.top + scroll.y;
      return left + box.width <= reach.left || left >= reach.right || top + box.height <= reach.top || top >= reach.bottom;
    }
    return hidden;
  }

  // --- Where this frame sits: one step per level up to the top, each the frame's index in
  // its parent's window.frames (comparing WindowProxies works across origins), or, for a
  // frame the parent's window.frames does not list (one inside a shadow tree), the place of
  // its <iframe> in the parent's DOM when this script may see it. null when neither is known.
  function stepOf(win) {
    const parent = win.parent;
    for (let i = 0; i < parent.length; i++) if (parent[i] === win) return `i${i}`;
    try {
      const container = win.frameElement;
      return container ? `k${tree.domKey(container)}` : null;
    } catch {
      return null;
    }
  }

  function framePath() {
    const path = [];
    try {
      for (let win = window; win !== win.parent; win = win.parent) {
        const step = stepOf(win);
        if (step === null) return null;
        path.unshift(step);
      }
    } catch {
      return null;
    }
    return path;
  }

  function childFrames(frames) {
    const indexOf = new Map();
    for (let i = 0; i < window.length; i++) indexOf.set(window[i], i);
    return frames.map(({ el, shadow }) => {
      let src = el.src || (el.hasAttribute("srcdoc") ? "about:srcdoc" : "about:blank");
      try {
        src = el.contentWindow?.location.href ?? src; // same-origin: where it really is
      } catch {
        // another origin: the src attribute is all this document knows
      }
      return { i: indexOf.get(el.contentWindow) ?? null, k: tree.domKey(el), src, shadow, hidden: null };
    });
  }

  function collect() {
    // Where the time goes, for bench/bench_popup.py: [before, walk, html] in ms.
    const marks = [started, performance.now()];
    const { links, frames, roots } = tree.walk(document);
    marks.push(performance.now());
    const html = serialise(document, roots);
    marks.push(performance.now());
    marks.push(performance.now());
    // What only layout tells (which links the user can see) is asked for once the table is
    // shown: linkInspectorLive() below, on these very elements.
    globalThis.linkInspectorCollected = { links, frames };
    return {
      url: location.href,
      html,
      charset: document.characterSet,
      contentType: document.contentType,
      path: framePath(),
      live_links: null,
      link_count: links.length,
      children: childFrames(frames),
      shadow_roots: roots.length,
      ms: Math.round(performance.now() - started),
      timings: marks.slice(1).map((at, i) => Math.round(at - marks[i])),
    };
  }

  // The second read: {live_links, frames_hidden} of what collect() found, each link's .href
  // as it now is and whether the user can see it, and whether each child frame can be seen.
  globalThis.linkInspectorLive = () => {
    const saved = globalThis.linkInspectorCollected;
    if (!saved) return null;
    const started = performance.now();
    const hidden = visibility();
    // One JSON string, not thousands of objects: the browser converts an injection's result
    // value by value, and 4,000 small objects cost it ~80 ms where one string costs ~1 ms.
    const live = JSON.stringify(saved.links.map(({ el }) => ({ href: el.href, hidden: hidden(el) })));
    return {
      live_links: live,
      frames_hidden: saved.frames.map(({ el }) => hidden(el)),
      ms: Math.round(performance.now() - started),
    };
  };

  // The top page is read once parsed; a frame still loading is read as it stands.
  if (window === window.parent && document.readyState === "loading") {
    return new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true })).then(collect);
  }
  return collect();
})();
