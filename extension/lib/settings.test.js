import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_SERVER_URL, normalizeServerUrl, parseLines, serverOriginPattern, settingsFrom } from "./settings.js";

test("lines are trimmed, deduplicated, and blanks or comments dropped", () => {
  assert.deepEqual(parseLines(" a.example \r\n\n# mine\nb.example/blog/\na.example\n"), ["a.example", "b.example/blog/"]);
});

test("server URL loses trailing slashes and defaults when empty", () => {
  assert.equal(normalizeServerUrl("http://127.0.0.1:8750/"), "http://127.0.0.1:8750");
  assert.equal(normalizeServerUrl("https://li.example.com/base//"), "https://li.example.com/base");
  assert.equal(normalizeServerUrl("  "), DEFAULT_SERVER_URL);
  assert.equal(normalizeServerUrl("127.0.0.1:8750"), "http://127.0.0.1:8750");
  assert.equal(normalizeServerUrl("localhost:8750/"), "http://localhost:8750");
});

test("bad server URLs are refused with a reason", () => {
  assert.throws(() => normalizeServerUrl("ftp://127.0.0.1/"), /http:\/\/ or https:\/\//);
  assert.throws(() => normalizeServerUrl("http://exa mple/"), /is not a URL/);
  assert.throws(() => normalizeServerUrl("https://user:pw@a.example/"), /token in its own field/);
});

test("the permission pattern covers the server's host on any port", () => {
  assert.equal(serverOriginPattern("http://127.0.0.1:8750"), "http://127.0.0.1/*");
  assert.equal(serverOriginPattern("https://li.example.com/base"), "https://li.example.com/*");
});

test("settings from raw storage take defaults for missing or mistyped keys", () => {
  assert.deepEqual(settingsFrom({}, {}), { serverUrl: DEFAULT_SERVER_URL, sites: [], competitors: [], apiToken: "" });
  assert.deepEqual(
    settingsFrom({ serverUrl: 42, sites: "a.example", competitors: ["b.example"], other: 1 }, { apiToken: ["x"] }),
    { serverUrl: DEFAULT_SERVER_URL, sites: [], competitors: ["b.example"], apiToken: "" },
  );
  assert.deepEqual(
    settingsFrom({ serverUrl: "http://li.example", sites: ["a.example"], competitors: [] }, { apiToken: "t" }),
    { serverUrl: "http://li.example", sites: ["a.example"], competitors: [], apiToken: "t" },
  );
});
