// The one place that talks to the Link Inspector server. Every failure becomes a
// ServerProblem whose message a user can act on.

const HEALTH_PATH = "/api/v1/health";
const ANALYZE_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 10_000;

export class ServerProblem extends Error {
  /** kind: offline | cors | unauthorized | not-link-inspector | missing-endpoint | origin | host |
   *  rate-limited | too-large | http | timeout */
  constructor(kind, message, status = null) {
    super(message);
    this.name = "ServerProblem";
    this.kind = kind;
    this.status = status;
  }
}

function headersFor(settings, hasBody) {
  const headers = { Accept: "application/json" };
  if (hasBody) headers["Content-Type"] = "application/json";
  if (settings.apiToken) headers.Authorization = `Bearer ${settings.apiToken}`;
  return headers;
}

/** Why a fetch failed before any response: nothing listening, or the browser blocked it. */
async function networkProblem(serverUrl) {
  try {
    // An opaque answer means something is listening but CORS hid the response from us.
    await fetch(serverUrl + HEALTH_PATH, {
      mode: "no-cors",
      cache: "no-store",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return new ServerProblem(
      "cors",
      `The server at ${serverUrl} answered, but the browser blocked the response (CORS): ` +
        "open Options and press Save so the extension may reach this server.",
    );
  } catch {
    return new ServerProblem(
      "offline",
      `No server is running at ${serverUrl}. Start it (scripts/serve) or fix the URL in Options.`,
    );
  }
}

async function readJson(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function problemFromResponse(response, data, path, settings) {
  const status = response.status;
  const error = data && typeof data === "object" ? data.error : undefined;
  const detail = error && typeof error.message === "string" ? error.message : "";
  if (status === 401) {
    const message = settings.apiToken
      ? "The server rejected the API token. Copy the server's LINKINSPECTOR_API_TOKEN into Options."
      : "The server requires an API token: enter the server's LINKINSPECTOR_API_TOKEN in Options.";
    return new ServerProblem("unauthorized", message, status);
  }
  if (!error) {
    return new ServerProblem(
      "not-link-inspector",
      `${settings.serverUrl} is not a Link Inspector server (HTTP ${status} without a Link Inspector error). Check the URL in Options.`,
      status,
    );
  }
  if (status === 404 || status === 405) {
    return new ServerProblem(
      "missing-endpoint",
      `This server has no ${path} endpoint (HTTP ${status}). Update the Link Inspector server.`,
      status,
    );
  }
  if (error.code === "forbidden_origin") {
    return new ServerProblem(
      "origin",
      `The server refuses this extension's origin. Add ${globalThis.location?.origin ?? "the extension's origin"} to the server's LINKINSPECTOR_EXTENSION_ORIGINS.`,
      status,
    );
  }
  if (error.code === "misdirected_host") {
    return new ServerProblem("host", `${detail} (server URL: ${settings.serverUrl})`, status);
  }
  if (status === 429) {
    return new ServerProblem("rate-limited", "The server is limiting requests: wait a moment and try again.", status);
  }
  if (status === 413) {
    return new ServerProblem("too-large", "The page is larger than the server accepts (LINKINSPECTOR_MAX_PAGE_BYTES).", status);
  }
  return new ServerProblem("http", detail || `The server answered HTTP ${status}.`, status);
}

async function request(settings, method, path, body, timeoutMs = ANALYZE_TIMEOUT_MS) {
  let response;
  try {
    response = await fetch(settings.serverUrl + path, {
      method,
      headers: headersFor(settings, body !== undefined),
      // A Blob, not the string: Chromium uploads a 1 MB Blob body about 40 ms sooner.
      body: body === undefined ? undefined : new Blob([JSON.stringify(body)], { type: "application/json" }),
      credentials: "omit",
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error && error.name === "TimeoutError") {
      throw new ServerProblem("timeout", `The server at ${settings.serverUrl} did not answer in time.`);
    }
    throw await networkProblem(settings.serverUrl);
  }
  const data = await readJson(response);
  if (!response.ok) throw problemFromResponse(response, data, path, settings);
  if (data === undefined) {
    throw new ServerProblem(
      "not-link-inspector",
      `${settings.serverUrl} answered with something other than JSON: it is not a Link Inspector server.`,
      response.status,
    );
  }
  return data;
}

const liveLinks = (links) => links.map(({ href, hidden }) => ({ href, hidden }));

/**
 * The page fields of an analyze or prospects request, from the page as the popup read it:
 * {url, html, charset, live_links, frames, served_html, headers} (lib/frames.js, popup/start.js).
 */
export function pageFields(page) {
  const body = { url: page.url, html: page.html, charset: page.charset || undefined };
  if (Array.isArray(page.live_links)) body.live_links = liveLinks(page.live_links);
  if (typeof page.served_html === "string") body.served_html = page.served_html;
  if (page.headers && Object.keys(page.headers).length > 0) body.headers = page.headers;
  if (Array.isArray(page.frames) && page.frames.length > 0) {
    body.frames = page.frames.map((f) => ({
      url: f.url,
      html: f.html,
      charset: f.charset || undefined,
      live_links: Array.isArray(f.live_links) ? liveLinks(f.live_links) : undefined,
      parent: f.parent ?? null,
    }));
  }
  return body;
}

/** The link fields the popup shows, filters, sorts and exports: the API sends only these. */
export const LINK_FIELDS = Object.freeze([
  "index", "tag", "href", "text", "image_alt", "rel", "rel_raw", "follow", "nofollow_reasons", "kind", "scheme",
  "host", "domain", "position", "warnings", "frame", "frame_url", "shadow", "origin", "hidden", "risks",
]);

/** Links sent as arrays of `fields` (the API's link_fields option), as objects again. */
export function linksFromRows(rows, fields) {
  const n = fields.length;
  return rows.map((row) => {
    const link = {};
    for (let i = 0; i < n; i++) link[fields[i]] = row[i];
    return link;
  });
}

/**
 * Analyse a page (see pageFields) for my sites and competitors → the API's JSON. Links come
 * as arrays of LINK_FIELDS, about half the bytes of objects; a server without the option
 * sends objects, taken as they are.
 */
export async function analyze(settings, page) {
  const analysis = await request(settings, "POST", "/api/v1/analyze", {
    ...pageFields(page),
    sites: settings.sites,
    competitors: settings.competitors,
    link_fields: LINK_FIELDS,
  });
  if (Array.isArray(analysis?.link_fields) && Array.isArray(analysis.links)) {
    analysis.links = linksFromRows(analysis.links, analysis.link_fields);
  }
  return analysis;
}

/** Save the page as a prospect: POST /api/v1/prospects, the same page fields. */
export function saveProspect(settings, page) {
  return request(settings, "POST", "/api/v1/prospects", {
    ...pageFields(page),
    sites: settings.sites,
    competitors: settings.competitors,
  });
}

/** Watch a backlink from sourceUrl to target (one of my sites): POST /api/v1/backlinks. */
export function trackBacklink(settings, sourceUrl, target) {
  return request(settings, "POST", "/api/v1/backlinks", { source_url: sourceUrl, target });
}

/** Check a tracked backlink now (the server fetches the page): POST /api/v1/backlinks/<id>/check. */
export function checkBacklink(settings, backlinkId) {
  return request(settings, "POST", `/api/v1/backlinks/${encodeURIComponent(backlinkId)}/check`);
}

/** Check the server is up, is Link Inspector, and accepts the token. Returns a sentence. */
export async function testConnection(settings) {
  const health = await request(settings, "GET", HEALTH_PATH, undefined, PROBE_TIMEOUT_MS);
  if (!health || health.service !== "link-inspector") {
    throw new ServerProblem(
      "not-link-inspector",
      `${settings.serverUrl} answered, but it is not a Link Inspector server. Check the URL.`,
    );
  }
  await request(
    settings,
    "POST",
    "/api/v1/analyze",
    { url: "https://example.com/", html: '<a href="/">test</a>' },
    PROBE_TIMEOUT_MS,
  );
  const auth = settings.apiToken ? "the API token is accepted" : "no API token is needed";
  return `Connected to Link Inspector (API ${health.api || "v1"}) at ${settings.serverUrl}; ${auth}.`;
}

/** Start a link check of these URLs (the links of `sourceUrl`): the job, status "queued". */
export function startLinkCheck(settings, urls, sourceUrl) {
  return request(settings, "POST", "/api/v1/link-checks", { urls, source_url: sourceUrl });
}

/** Start qualifying these pages as prospects (fetched and saved by the server): the job. */
export function startProspectBulk(settings, urls) {
  return request(settings, "POST", "/api/v1/prospects/bulk", {
    urls,
    sites: settings.sites,
    competitors: settings.competitors,
  });
}

/** A job's progress and results: GET /api/v1/jobs/<id>. */
export function getJob(settings, jobId) {
  return request(settings, "GET", `/api/v1/jobs/${encodeURIComponent(jobId)}`, undefined, PROBE_TIMEOUT_MS);
}
