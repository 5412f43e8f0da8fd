// How URLs and anchors are shown in the table: short, readable, never ambiguous.

/** Shorten text to max characters by cutting the middle. */
export function truncateMiddle(text, max) {
  const value = String(text);
  if (value.length <= max) return value;
  const keep = max - 1;
  const head = Math.ceil(keep * 0.6);
  return `${value.slice(0, head)}…${value.slice(value.length - (keep - head))}`;
}

function decodePath(path) {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** {host, path} to show for a link: host and decoded path+query; scheme for the rest. */
export function displayDestination(link) {
  if (link.scheme === "http" || link.scheme === "https") {
    try {
      const url = new URL(link.href);
      const path = decodePath(url.pathname + url.search) + (url.hash ? url.hash : "");
      return { host: url.host, path };
    } catch {
      // fall through: show the raw value
    }
  }
  return { host: link.scheme ? `${link.scheme}:` : "", path: link.scheme ? link.href.slice(link.scheme.length + 1) : link.href };
}

/** The anchor as the user sees it: its text, else its image's alt, else a placeholder. */
export function anchorLabel(link) {
  const text = (link.text || "").replace(/\s+/g, " ").trim();
  if (text) return { label: text, kind: "text" };
  const alt = (link.image_alt || "").replace(/\s+/g, " ").trim();
  if (alt) return { label: alt, kind: "image" };
  return { label: link.tag === "area" ? "(image map area)" : "(no text)", kind: "empty" };
}
