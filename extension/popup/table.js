// The links table, windowed: a real <table> (so screen readers announce a table, its header
// and each row's place in it: aria-rowcount, aria-rowindex) whose body holds only the rows in
// view and a few around them; two spacer bodies stand for the rest, so the one scrollbar is
// as long as every row and each row is reachable by scrolling. Rows have one height (one
// line, the full text in each cell's tooltip). Keyboard: the arrow keys, Page Up/Down,
// Home/End move between rows, Enter activates one.
import { el } from "../lib/dom.js";

export const ROW_HEIGHT = 24; // px, the same as `--row-height` in popup.css
const OVERSCAN = 12; // rows rendered beyond each edge of the view

/**
 * scroller: the scroll container; table: its <table> with a <thead>, and <tbody> elements
 * #pad-top, #link-rows, #pad-bottom. Returns {show, refresh, focusRow, count}.
 * show({header, rows, renderRow, key}) replaces what the table shows:
 *   header: [{id, label, title, width, sortable, sorted: "ascending"|"descending"|"none"}]
 *   rows: the row models; renderRow(row, position) → <tr>; key(row) → string (a stable id).
 * onSort(columnId) and onActivate(row, tr) are called on a header or row click (or key).
 */
export function createTable({ scroller, table, onSort, onActivate }) {
  const thead = table.tHead;
  const body = table.querySelector("#link-rows");
  const padTop = table.querySelector("#pad-top");
  const padBottom = table.querySelector("#pad-bottom");
  let view = { header: [], rows: [], renderRow: () => null, key: () => "" };
  let range = { start: 0, end: 0 };
  let active = 0; // the row keyboard navigation is on
  let pending = false;

  const spacer = (tbody, height) => {
    const cell = tbody.rows[0]?.cells[0];
    if (cell) {
      cell.style.height = `${height}px`;
      cell.colSpan = Math.max(1, view.header.length);
    } else {
      tbody.append(el("tr", { attrs: { "aria-hidden": "true" } }, el("td", { colSpan: Math.max(1, view.header.length), style: { height: `${height}px` } })));
    }
    tbody.hidden = height === 0;
  };

  function renderHeader() {
    const cols = el("colgroup", {}, view.header.map((c) => el("col", { style: { width: c.width } })));
    const row = el("tr", { attrs: { "aria-rowindex": "1" } }, view.header.map((c) =>
      el("th", {
        scope: "col",
        title: c.title,
        className: c.className ?? "",
        tabIndex: c.sortable ? 0 : -1,
        dataset: c.sortable ? { sort: c.id } : {},
        attrs: c.sortable ? { "aria-sort": c.sorted ?? "none" } : {},
      }, c.label)));
    table.querySelector("colgroup")?.remove();
    table.prepend(cols);
    thead.replaceChildren(row);
  }

  /** Render the rows in view (and the overscan); keep those already there. */
  function renderRows(force = false) {
    const total = view.rows.length;
    const visible = Math.ceil((scroller.clientHeight || 600) / ROW_HEIGHT);
    const first = Math.floor(scroller.scrollTop / ROW_HEIGHT);
    const start = Math.max(0, first - OVERSCAN);
    const end = Math.min(total, first + visible + OVERSCAN);
    if (!force && start === range.start && end === range.end) return;
    const kept = new Map();
    if (!force) for (const tr of body.rows) kept.set(tr.dataset.key, tr);
    const fragment = document.createDocumentFragment();
    for (let i = start; i < end; i++) {
      const row = view.rows[i];
      const key = view.key(row);
      let tr = kept.get(key);
      if (!tr || tr.dataset.position !== String(i)) {
        tr = view.renderRow(row, i);
        tr.dataset.key = key;
        tr.dataset.position = String(i);
        tr.setAttribute("aria-rowindex", String(i + 2)); // the header is row 1
      }
      tr.tabIndex = i === active ? 0 : -1;
      fragment.append(tr);
    }
    body.replaceChildren(fragment);
    spacer(padTop, start * ROW_HEIGHT);
    spacer(padBottom, (total - end) * ROW_HEIGHT);
    range = { start, end };
  }

  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      renderRows();
    });
  }

  /** Put the keyboard on row i: scroll it into view, render it, focus it. */
  function focusRow(i) {
    if (view.rows.length === 0) return;
    active = Math.max(0, Math.min(view.rows.length - 1, i));
    const top = active * ROW_HEIGHT;
    const headerHeight = thead.offsetHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight - headerHeight) {
      scroller.scrollTop = top + ROW_HEIGHT - scroller.clientHeight + headerHeight;
    }
    renderRows(true);
    body.querySelector(`tr[data-position="${active}"]`)?.focus({ preventScroll: true });
  }

  scroller.addEventListener("scroll", schedule, { passive: true });
  new ResizeObserver(schedule).observe(scroller);
  thead.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (th) onSort(th.dataset.sort);
  });
  thead.addEventListener("keydown", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (th && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      onSort(th.dataset.sort);
    }
  });
  body.addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-position]");
    if (!tr) return;
    active = Number(tr.dataset.position);
    for (const row of body.rows) row.tabIndex = row === tr ? 0 : -1;
    onActivate(view.rows[active], tr);
  });
  body.addEventListener("keydown", (event) => {
    const page = Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT) - 2);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (event.key in moves) focusRow(active + moves[event.key]);
    else if (event.key === "Home") focusRow(0);
    else if (event.key === "End") focusRow(view.rows.length - 1);
    else if (event.key === "Enter" || event.key === " ") {
      const tr = body.querySelector(`tr[data-position="${active}"]`);
      if (tr) onActivate(view.rows[active], tr);
    } else return;
    event.preventDefault();
  });

  return {
    /** Show new rows (a new filter, sort, search or view): from the top, unless keepScroll. */
    show(next, { keepScroll = false } = {}) {
      const headerChanged = next.header.map((c) => `${c.id}:${c.sorted}`).join() !== view.header.map((c) => `${c.id}:${c.sorted}`).join();
      view = next;
      if (headerChanged) renderHeader();
      table.setAttribute("aria-rowcount", String(view.rows.length + 1));
      if (!keepScroll) {
        scroller.scrollTop = 0;
        active = 0;
      }
      active = Math.min(active, Math.max(0, view.rows.length - 1));
      renderRows(true);
      // Every row is now reachable by scrolling: the spacers stand for the rest.
      body.dataset.complete = "true";
    },
    /** Render again what is in view (a feature's cells changed). */
    refresh() {
      renderRows(true);
    },
    focusRow,
    count: () => view.rows.length,
  };
}
