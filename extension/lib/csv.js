// CSV and tab-separated export of the links table. Cells that a spreadsheet would run as a
// formula (=, +, -, @, tab, carriage return) are prefixed with an apostrophe (OWASP).

const FORMULA_START = /^[=+\-@\t\r]/;

export const EXPORT_COLUMNS = Object.freeze([
  ["index", (l) => l.index],
  ["anchor_text", (l) => l.text],
  ["image_alt", (l) => l.image_alt ?? ""],
  ["href", (l) => l.href],
  ["host", (l) => l.host ?? ""],
  ["rel", (l) => l.rel.join(" ")],
  ["follow", (l) => (l.follow ? "followed" : "nofollow")],
  ["nofollow_reasons", (l) => l.nofollow_reasons.join("; ")],
  ["kind", (l) => l.kind],
  ["position", (l) => l.position ?? ""],
  ["warnings", (l) => l.warnings.join("; ")],
  ["risks", (l) => (l.risks ?? []).join(" ")],
  ["hidden", (l) => (l.hidden === true ? "hidden" : l.hidden === false ? "visible" : "")],
  ["origin", (l) => l.origin ?? ""],
  ["frame_url", (l) => l.frame_url ?? ""],
  ["shadow", (l) => (l.shadow ? "shadow" : "")],
]);

/** A cell value a spreadsheet shows as text, never evaluates. */
export function neutralizeFormula(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(value) {
  const text = neutralizeFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function tsvCell(value) {
  return neutralizeFormula(value).replace(/[\t\r\n]+/g, " ");
}

function table(links, extra) {
  const columns = [...EXPORT_COLUMNS, ...extra];
  return [columns.map(([name]) => name), ...links.map((l) => columns.map(([, get]) => get(l)))];
}

/** RFC 4180 CSV (CRLF line ends) of the links; `extra` columns ([name, get]) go last. */
export function linksToCsv(links, extra = []) {
  return table(links, extra).map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** Tab-separated text of the links, for pasting into a spreadsheet. */
export function linksToTsv(links, extra = []) {
  return table(links, extra).map((row) => row.map(tsvCell).join("\t")).join("\n") + "\n";
}

/** A file name like links-example.com-2026-11-27.csv. */
export function csvFileName(pageUrl, date = new Date()) {
  let host = "page";
  try {
    host = new URL(pageUrl).hostname || host;
  } catch {
    // keep the default
  }
  return `links-${host.replace(/[^a-z0-9.-]/gi, "_")}-${date.toISOString().slice(0, 10)}.csv`;
}
