// Options: server URL, API token, my sites, competitors; Save and Test connection.
import { ServerProblem, testConnection } from "../lib/api.js";
import { ext } from "../lib/browser.js";
import { loadSettings, normalizeServerUrl, parseLines, saveSettings, serverOriginPattern } from "../lib/settings.js";

const $ = (id) => document.getElementById(id);

function say(id, message, kind) {
  $(id).textContent = message;
  $(id).className = `result ${kind}`;
}

function formSettings() {
  return {
    serverUrl: normalizeServerUrl($("server-url").value),
    apiToken: $("api-token").value.trim(),
    sites: parseLines($("sites").value),
    competitors: parseLines($("competitors").value),
  };
}

async function fill() {
  const settings = await loadSettings();
  $("server-url").value = settings.serverUrl;
  $("api-token").value = settings.apiToken;
  $("sites").value = settings.sites.join("\n");
  $("competitors").value = settings.competitors.join("\n");
}

function save(event) {
  event.preventDefault();
  let settings;
  try {
    settings = formSettings();
  } catch (error) {
    say("save-result", error.message, "error");
    return;
  }
  // Asked here, synchronously in the click, because browsers require a user gesture.
  const granted = ext.permissions.request({ origins: [serverOriginPattern(settings.serverUrl)] }).catch(() => false);
  (async () => {
    await saveSettings(settings);
    $("server-url").value = settings.serverUrl;
    $("sites").value = settings.sites.join("\n");
    $("competitors").value = settings.competitors.join("\n");
    if (await granted) say("save-result", "Saved.", "ok");
    else say("save-result", "Saved, but without permission to reach the server the popup cannot analyse pages. Press Save again and allow it.", "error");
  })().catch((error) => say("save-result", `Could not save: ${error.message}`, "error"));
}

async function test() {
  const button = $("test-connection");
  let settings;
  try {
    settings = formSettings();
  } catch (error) {
    say("connection-result", error.message, "error");
    return;
  }
  button.disabled = true;
  say("connection-result", "Testing…", "info");
  try {
    say("connection-result", await testConnection(settings), "ok");
  } catch (error) {
    say("connection-result", error instanceof ServerProblem ? error.message : `Failed: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

$("options").addEventListener("submit", save);
$("test-connection").addEventListener("click", test);
fill().catch((error) => say("save-result", `Could not load settings: ${error.message}`, "error"));
