// Storage keys and defaults. Sites, competitors and the server URL sync across the user's
// browsers; the API token stays on this device.
import { ext } from "./browser.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:8750";
const SYNC_DEFAULTS = Object.freeze({ serverUrl: DEFAULT_SERVER_URL, sites: [], competitors: [] });
const LOCAL_DEFAULTS = Object.freeze({ apiToken: "" });

/** The user's settings: {serverUrl, sites, competitors, apiToken}. */
export async function loadSettings() {
  const [synced, local] = await Promise.all([
    ext.storage.sync.get(SYNC_DEFAULTS),
    ext.storage.local.get(LOCAL_DEFAULTS),
  ]);
  return settingsFrom(synced, local);
}

/** The settings from what storage.sync and storage.local hold (any keys, any values). */
export function settingsFrom(synced, local) {
  return {
    serverUrl: (typeof synced.serverUrl === "string" && synced.serverUrl) || DEFAULT_SERVER_URL,
    sites: Array.isArray(synced.sites) ? synced.sites : [],
    competitors: Array.isArray(synced.competitors) ? synced.competitors : [],
    apiToken: typeof local.apiToken === "string" ? local.apiToken : "",
  };
}

/** Persist settings; the token goes to local storage only. */
export async function saveSettings({ serverUrl, sites, competitors, apiToken }) {
  await Promise.all([
    ext.storage.sync.set({ serverUrl, sites, competitors }),
    ext.storage.local.set({ apiToken }),
  ]);
}

/** Non-empty trimmed lines of a textarea, without duplicates. */
export function parseLines(text) {
  const seen = new Set();
  for (const line of String(text).split(/\r?\n/)) {
    const value = line.trim();
    if (value && !value.startsWith("#")) seen.add(value);
  }
  return [...seen];
}

/** The server URL without trailing slashes, or throws an Error saying what is wrong. */
export function normalizeServerUrl(value) {
  let text = String(value).trim() || DEFAULT_SERVER_URL;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`; // "127.0.0.1:8750"
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL. Example: ${DEFAULT_SERVER_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("The server URL must start with http:// or https://.");
  }
  if (url.username || url.password) {
    throw new Error("Put the API token in its own field, not in the URL.");
  }
  return (url.origin + url.pathname).replace(/\/+$/, "");
}

/** The match pattern to request as an optional host permission for the server. */
export function serverOriginPattern(serverUrl) {
  const url = new URL(serverUrl);
  return `${url.protocol}//${url.hostname}/*`;
}
