import assert from "node:assert/strict";
import { test } from "node:test";
import { RISK_CODES, linkRisks, pageRisks, riskSentence, riskShort, verdictKind, verdictText } from "./risks.js";

test("every risk code of the API has a sentence and a short form, in the API's order", () => {
  assert.deepEqual(RISK_CODES, ["robots_txt_disallowed", "noindex", "canonical_elsewhere", "in_frame", "hidden", "script_only"]);
  assert.equal(riskSentence("robots_txt_disallowed"), "robots.txt blocks Googlebot from this page: Google cannot crawl it to see the link.");
  assert.equal(riskSentence("script_only"), "The link is added by JavaScript: only crawlers that run scripts see it.");
  assert.equal(riskShort("canonical_elsewhere"), "canonical is another URL");
});

test("a code this version does not know is still shown, not dropped", () => {
  assert.equal(riskSentence("paywalled"), "Risk: paywalled.");
  assert.equal(riskShort("behind_login"), "behind login");
});

test("the verdict says yes or no, followed or not, and what puts the link at risk", () => {
  assert.equal(verdictText({ linked: false, followed: false, risks: [] }), "No");
  assert.equal(verdictText({ linked: true, followed: true, risks: [] }), "Yes · followed");
  assert.equal(verdictText({ linked: true, followed: true, risks: ["robots_txt_disallowed"] }), "Yes · followed · at risk: blocked by robots.txt");
  assert.equal(verdictText({ linked: true, followed: false, risks: [] }), "Yes · nofollow only");
  assert.equal(verdictText({ linked: true, followed: true, risks: ["noindex", "hidden"] }), "Yes · followed · at risk: noindex page, hidden");
  assert.equal(verdictText({ linked: true, followed: true }), "Yes · followed"); // an older server: no risks field
  assert.deepEqual(
    [{ linked: false }, { linked: true, followed: true, risks: [] }, { linked: true, followed: true, risks: ["hidden"] }, { linked: true, followed: false }].map(verdictKind),
    ["no", "yes", "risk", "partial"],
  );
});

test("the top page's risks are said once; a row keeps its own, and a frame's document its own", () => {
  const analysis = {
    page: { robots: { noindex: true }, robots_txt: { status: "disallowed", url: "https://a.example/robots.txt", rule: "Disallow: /" } },
    links: [
      { frame_url: null, risks: ["robots_txt_disallowed", "noindex", "hidden"] },
      { frame_url: null, risks: ["robots_txt_disallowed", "noindex", "script_only"] },
      { frame_url: "https://b.example/", risks: ["canonical_elsewhere", "in_frame"] },
    ],
  };
  const page = pageRisks(analysis);
  assert.deepEqual(page, ["robots_txt_disallowed", "noindex"]);
  assert.deepEqual(analysis.links.map((l) => linkRisks(l, page)), [["hidden"], ["script_only"], ["canonical_elsewhere", "in_frame"]]);
  assert.deepEqual(pageRisks({ page: { robots: {} }, links: [] }), []);
  assert.deepEqual(linkRisks({ risks: ["noindex"] }), ["noindex"]);
});
