// What the table shows and how: the counts and chips that filter it, the search box, the sort,
// and the two views (every link, or one row per linked domain). The rows go to the windowed
// table of table.js; the links shown are what Export CSV and Copy take.
import { countLinks, visibleLinks } from "../lib/filters.js";
import { domainRows, groupByDomain, sortGroups } from "../lib/domains.js";
import * as render from "./render.js";
import { createTable } from "./table.js";

const $ = (id) => document.getElementById(id);

/**
 * onLink(link): a link row was clicked or activated with the keyboard. Returns
 * {show(analysis, marks, options), refresh(), shown(), state}.
 */
export function createView({ onLink }) {
  const state = {
    filter: "all",
    query: "",
    mode: "links",
    sort: { links: { column: "index", direction: "asc" }, domains: { column: "count", direction: "asc" } },
    expanded: new Set(),
    analysis: null,
    marks: null,
    shown: [],
  };
  let counts = null;

  const table = createTable({
    scroller: $("table-scroll"),
    table: $("links"),
    onSort: (column) => {
      const sort = state.sort[state.mode];
      if (sort.column === column) sort.direction = sort.direction === "asc" ? "desc" : "asc";
      else state.sort[state.mode] = { column, direction: "asc" };
      update();
    },
    onActivate: (row, tr) => {
      if (row.type === "domain") {
        const { domain } = row.group;
        if (state.expanded.has(domain)) state.expanded.delete(domain);
        else state.expanded.add(domain);
        update({ keepScroll: true, keepCounts: true });
        table.focusRow(Number(tr.dataset.position));
        return;
      }
      for (const old of document.querySelectorAll("#link-rows tr.selected")) old.classList.remove("selected");
      tr.classList.add("selected");
      onLink(row.link);
    },
  });

  function renderChips() {
    const { tiles, chips } = render.chips(counts, state.filter, (id) => {
      state.filter = id;
      update({ keepCounts: true });
    });
    $("tiles").replaceChildren(...tiles);
    $("chips").replaceChildren(...chips);
  }

  /** Filter, search, sort and show; counts are made again only when the search changed. */
  function update({ keepScroll = false, keepCounts = false } = {}) {
    const sort = state.sort.links;
    const { links } = visibleLinks(state.analysis, { filter: state.filter, query: state.query, ...sort }, state.marks, { counts: false });
    state.shown = links;
    if (!keepCounts || !counts) counts = countLinks(state.analysis.links, state.marks, state.query);
    renderChips();
    const context = { marks: state.marks };
    if (state.mode === "domains") {
      const { column, direction } = state.sort.domains;
      const groups = sortGroups(groupByDomain(links), column, direction);
      table.show({
        header: render.domainHeader(state.sort.domains),
        rows: domainRows(groups, state.expanded),
        key: (row) => (row.type === "domain" ? `d:${row.group.domain}` : `l:${row.link.index}`),
        renderRow: (row) => (row.type === "domain" ? render.domainRow(row.group, state.expanded.has(row.group.domain)) : render.domainLinkRow(row.link)),
      }, { keepScroll });
      note(`${groups.length} domains`, links.length);
    } else {
      table.show({
        header: render.linkHeader(sort),
        rows: links.map((link) => ({ type: "link", link })),
        key: (row) => `l:${row.link.index}`,
        renderRow: (row) => render.linkRow(row.link, context),
      }, { keepScroll });
      note("", links.length);
    }
    $("empty-table").hidden = links.length > 0;
  }

  function note(prefix, shown) {
    const total = state.analysis.links.length;
    const links = shown === total ? `${total.toLocaleString("en-US")} links` : `${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} links shown`;
    $("table-note").textContent = prefix ? `${prefix} · ${links}` : links;
  }

  function setMode(mode) {
    state.mode = mode;
    for (const button of document.querySelectorAll("button[data-view]")) button.setAttribute("aria-pressed", String(button.dataset.view === mode));
    update({ keepCounts: true });
  }

  // Typing: one update per frame, however fast the keys come.
  let typing = 0;
  $("search").addEventListener("input", (event) => {
    state.query = event.target.value;
    cancelAnimationFrame(typing);
    typing = requestAnimationFrame(() => update());
  });
  for (const button of document.querySelectorAll("button[data-view]")) button.addEventListener("click", () => setMode(button.dataset.view));

  return {
    /** A new analysis (or the same page analysed again): keep the user's filter, sort and view. */
    show(analysis, marks, { keepScroll = false } = {}) {
      Object.assign(state, { analysis, marks });
      counts = null;
      update({ keepScroll });
    },
    /** Show the links that pass this chip (a feature's own switch may stand for its chip). */
    setFilter(id) {
      state.filter = id;
      update({ keepCounts: true });
    },
    /** A feature module's cells or chips changed: count and show again, where the user is. */
    refresh() {
      counts = null;
      update({ keepScroll: true });
    },
    shown: () => state.shown,
    state,
  };
}
