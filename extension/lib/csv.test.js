import assert from "node:assert/strict";
import { test } from "node:test";
import { csvFileName, linksToCsv, linksToTsv, neutralizeFormula } from "./csv.js";

const link = (over = {}) => ({
  index: 0, text: "Anchor", image_alt: null, href: "https://a.example/", host: "a.example",
  rel: [], follow: true, nofollow_reasons: [], kind: "external", position: "main", warnings: [], ...over,
});

test("cells a spreadsheet would evaluate get an apostrophe", () => {
  for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
    assert.equal(neutralizeFormula(`${start}SUM(A1)`), `'${start}SUM(A1)`);
  }
  assert.equal(neutralizeFormula("plain = text"), "plain = text");
  assert.equal(neutralizeFormula(null), "");
});

test("csv quotes commas, quotes and newlines and ends lines with CRLF", () => {
  const csv = linksToCsv([link({ text: 'He said "hi", then\nleft' })]);
  const [header, row, end] = csv.split("\r\n");
  assert.equal(header, "index,anchor_text,image_alt,href,host,rel,follow,nofollow_reasons,kind,position,warnings,risks,hidden,origin,frame_url,shadow");
  assert.equal(row, '0,"He said ""hi"", then\nleft",,https://a.example/,a.example,,followed,,external,main,,,,,,');
  assert.equal(end, "");
});

test("csv neutralises a formula anchor inside a quoted cell too", () => {
  const csv = linksToCsv([link({ text: '=HYPERLINK("https://evil.example","x")' })]);
  assert.match(csv, /,"'=HYPERLINK\(""https:\/\/evil\.example"",""x""\)",/);
});

test("csv lists rel tokens, reasons and warnings", () => {
  const csv = linksToCsv([link({ rel: ["nofollow", "ugc"], follow: false, nofollow_reasons: ["rel=nofollow", "rel=ugc"], warnings: ["w1", "w2"] })]);
  assert.match(csv, /,nofollow ugc,nofollow,rel=nofollow; rel=ugc,external,main,w1; w2,,,,,\r\n$/);
});

test("csv says where a link lives and what puts it at risk", () => {
  const csv = linksToCsv([link({ risks: ["in_frame", "hidden"], hidden: true, origin: "script", frame_url: "about:srcdoc", shadow: true })]);
  assert.match(csv, /,in_frame hidden,hidden,script,about:srcdoc,shadow\r\n$/);
});

test("tsv flattens tabs and newlines so each link stays one row", () => {
  const tsv = linksToTsv([link({ text: "a\tb\nc" })]);
  assert.equal(tsv.split("\n").length, 3);
  assert.match(tsv.split("\n")[1], /^0\ta b c\t/);
});

test("file name carries the host and the date", () => {
  assert.equal(csvFileName("https://www.example.com/x", new Date("2026-11-27T10:00:00Z")), "links-www.example.com-2026-11-27.csv");
  assert.equal(csvFileName("not a url", new Date("2026-11-27T10:00:00Z")), "links-page-2026-11-27.csv");
});

test("extra columns (a feature's, such as the link check) go last, formulas defused", () => {
  const link = { index: 0, text: "t", href: "https://a.example/", rel: [], follow: true, nofollow_reasons: [], kind: "external", warnings: [] };
  const csv = linksToCsv([link], [["check_result", () => "broken"], ["note", () => "=HYPERLINK(1)"]]);
  const [header, row] = csv.trimEnd().split("\r\n");
  assert.ok(header.endsWith(",check_result,note"));
  assert.ok(row.endsWith(",broken,'=HYPERLINK(1)"));
});
