// "Track this backlink": asks which of my sites when the page links to several, tracks the
// link on the server and checks it once right away, so the dashboard never starts at
// "Not checked" (cron would otherwise be the first to look).
import * as api from "../lib/api.js";
import { el } from "../lib/dom.js";
import { riskShort } from "../lib/risks.js";

/** My sites this page links to, in the order of Options: [{site, followed}]. */
export function linkedSites(analysis) {
  return (analysis?.sites?.matches ?? [])
    .filter((match) => match.linked)
    .map((match) => ({ site: match.site, followed: Boolean(match.followed) }));
}

function atRisk(check) {
  const risks = (check.risks ?? []).map(riskShort);
  return risks.length ? `, but at risk: ${risks.join(", ")}` : "";
}

/** The first check's result in plain words, and how the feedback should look. */
export function describeCheck(check, target) {
  if (!check) return { text: "The server has not checked it yet.", kind: "info" };
  const reasons = (check.reasons ?? []).join("; ");
  switch (check.result) {
    case "live-followed": {
      const risk = atRisk(check);
      return { text: `Checked just now: the link is there and followed${risk}.`, kind: risk ? "info" : "ok" };
    }
    case "live-nofollow":
      return {
        text: `Checked just now: the link is there but not followed${reasons ? ` (${reasons})` : ""}${atRisk(check)}.`,
        kind: "info",
      };
    case "missing": {
      // The server renders the page in Chromium when the served HTML lacks the link, unless
      // it cannot (render_note says why): then a link a script adds is not seen.
      const seen = check.rendered
        ? "the page, as the server fetches it and rendered in Chromium,"
        : "the page as the server fetches it";
      const unseen = check.rendered
        ? "A link shown only to signed-in visitors is not in it."
        : `A link added by a script, or shown only to signed-in visitors, is not in it${
            check.render_note ? `; ${check.render_note}` : ""
          }.`;
      return { text: `Checked just now: ${seen} has no link to ${target}. ${unseen}`, kind: "error" };
    }
    case "error": {
      const status = check.http_status ? ` (HTTP ${check.http_status})` : "";
      const why = check.error?.message ? `: ${check.error.message}` : "";
      return { text: `Checked just now: the server could not fetch the page${status}${why}.`, kind: "error" };
    }
    default:
      return { text: `Checked just now: ${check.result}.`, kind: "info" };
  }
}

async function trackAndCheck(button, target, context, say) {
  const { settings, url } = context();
  // aria-disabled, not disabled: a disabled button would drop the keyboard user's focus.
  button.setAttribute("aria-disabled", "true");
  say("Tracking backlink…", "info");
  try {
    let tracked;
    try {
      tracked = await api.trackBacklink(settings, url, target);
    } catch (error) {
      say(`Tracking backlink failed: ${error.message}`, "error");
      return;
    }
    const now = tracked?.created === false
      ? `Already tracking this page's link to ${target}.`
      : `Now tracking this page's link to ${target}.`;
    say(`${now} Checking it…`, "info");
    try {
      const checked = await api.checkBacklink(settings, tracked.id);
      const { text, kind } = describeCheck(checked?.check, target);
      say(`${now} ${text}`, kind);
    } catch (error) {
      say(`${now} The first check failed: ${error.message} Use Check now on the dashboard.`, "error");
    }
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

function chooser(button, sites, onChoose) {
  const close = () => {
    form.remove();
    button.setAttribute("aria-expanded", "false");
    button.removeAttribute("aria-controls");
    button.focus();
  };
  const options = sites.map(({ site, followed }, i) =>
    el("label", {},
      el("input", { type: "radio", name: "track-site", value: site, checked: i === 0 }),
      ` ${site} `,
      el("span", { className: "muted" }, followed ? "(followed)" : "(not followed)")));
  const form = el("form", { id: "track-chooser", className: "actions" },
    el("span", { id: "track-chooser-title" }, "Which of your sites?"),
    el("div", { className: "actions", attrs: { role: "radiogroup", "aria-labelledby": "track-chooser-title" } }, options),
    el("button", { type: "submit" }, "Track and check"),
    el("button", { type: "button", className: "ghost", onclick: close }, "Cancel"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const site = new FormData(form).get("track-site");
    close();
    onChoose(site);
  });
  form.addEventListener("keydown", (event) => event.key === "Escape" && close());
  return form;
}

/** Show the button when the page links to one of my sites, and make it work. */
export function wireTrackBacklink(button, state, say) {
  const sites = linkedSites(state.analysis);
  button.hidden = sites.length === 0;
  const context = () => ({ settings: state.settings, url: state.collected.url });
  // Several sites: the button discloses a small form that asks which one.
  if (sites.length > 1) button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-disabled") === "true") return undefined;
    if (sites.length === 1) return trackAndCheck(button, sites[0].site, context, say);
    const open = document.getElementById("track-chooser");
    if (open) return open.querySelector("input:checked")?.focus();
    const form = chooser(button, sites, (site) => trackAndCheck(button, site, context, say));
    (button.closest(".actions") ?? button).after(form);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", form.id);
    form.querySelector("input:checked").focus();
  });
}
