import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const html = readFileSync(join(here, "popup.html"), "utf8");

/** Every module the entry loads, itself included, as paths relative to popup/. */
function importGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, spec] of source.matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gms)) visit(resolve(dirname(file), spec));
  };
  visit(resolve(here, entry));
  return [...seen].map((file) => relative(here, file).split("\\").join("/"));
}

test("the popup preloads exactly the modules popup.js loads, so none waits for its importer", () => {
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(preloaded.sort(), importGraph("popup.js").sort());
});

test("start.js is the popup's first script, a classic one that runs before any module", () => {
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(scripts[0], '<script src="start.js">');
  assert.ok(html.indexOf('<script src="start.js">') < html.indexOf("<link"), "before any other fetch");
  const start = readFileSync(join(here, "start.js"), "utf8");
  assert.doesNotMatch(start, /^\s*(import|export)\s/m, "a classic script neither imports nor exports");
});
