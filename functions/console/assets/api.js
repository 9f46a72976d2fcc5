// The console's only way to the server: the public API, called with the signed-in key.
//
// The API may sit under a stage prefix (on AWS `/prod/console/` serves the console and `/prod/...`
// the API), so the base is whatever comes before `/console/` in this page's path.

const KEY = "partner-events.key";
const API_VERSION = "2025-02-15";
export const EG = "providers/Microsoft.EventGrid";

/** Everything before `/console/` in the page's path: "" locally, "/prod" behind a stage. */
export function apiBase() {
  const path = window.location.pathname;
  const at = path.indexOf("/console/");
  if (at >= 0) return path.slice(0, at);
  return path.endsWith("/console") ? path.slice(0, -"/console".length) : "";
}

/** The key this tab signed in with (sessionStorage only: nothing outlives the tab). */
export function storedKey() {
  return window.sessionStorage.getItem(KEY);
}

export function storeKey(key) {
  window.sessionStorage.setItem(KEY, key);
}

export function forgetKey() {
  window.sessionStorage.removeItem(KEY);
}

/** An API error: the HTTP status and the API's `{"error": {"code", "message"}}`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * `path` under the API base, as an absolute URL on this page's origin. Throws unless `path`
 * starts with exactly one "/" (not "//" or "/\", which a browser reads as another host) and
 * the URL stays on this origin: the key is only ever sent to the server that served the page.
 */
function sameOrigin(path, query = "") {
  if (typeof path !== "string" || !/^\/(?![/\\])/.test(path)) {
    throw new ApiError(0, "InvalidPath", `refused to call '${path}': not a path on this server`);
  }
  const target = new URL(apiBase() + path + query, window.location.origin);
  if (target.origin !== window.location.origin) {
    throw new ApiError(0, "InvalidPath", `refused to call '${path}': not a path on this server`);
  }
  return target;
}

/** `path` (absolute from the API base, with or without a query) with `api-version` added. */
function url(path) {
  const sep = String(path).includes("?") ? "&" : "?";
  const version = /[?&]api-version=/.test(path) ? "" : `${sep}api-version=${API_VERSION}`;
  return sameOrigin(path, version).href;
}

async function answer(response) {
  const text = await response.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(
      response.status,
      error.code || `HTTP${response.status}`,
      error.message || text || response.statusText || "the request failed",
    );
  }
  return body;
}

/**
 * Calls the API: `method` on `path` with the JSON `body` (if any), signed with `key` (the stored
 * key by default). Resolves to the parsed answer (null when empty); rejects with an ApiError.
 */
export async function call(method, path, body, key = storedKey()) {
  const headers = { "Content-Type": "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  const target = url(path);
  let response;
  try {
    response = await fetch(target, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "NetworkError", `the server could not be reached (${e.message})`);
  }
  return answer(response);
}

export const get = (path) => call("GET", path);
export const put = (path, body) => call("PUT", path, body);
export const patch = (path, body) => call("PATCH", path, body);
export const post = (path, body) => call("POST", path, body);
export const del = (path) => call("DELETE", path);

/**
 * One page of a listing at `path`, continuing from `nextLink` when given. Only the query of the
 * nextLink is used (its `$skipToken`), applied to `path`, so the request stays on this origin
 * and under this base whatever public URL the server writes into links.
 * Resolves to `{value, nextLink}`.
 */
export async function page(path, nextLink) {
  let target = path;
  if (nextLink) {
    const next = new URL(nextLink, window.location.href).searchParams;
    const [bare, query] = path.split("?");
    const params = new URLSearchParams(query || "");
    for (const [name, value] of next) {
      if (name !== "api-version") params.set(name, value);
    }
    target = `${bare}?${params}`;
  }
  const body = (await get(target)) || {};
  return { value: body.value || [], nextLink: body.nextLink || null };
}

/** Every item of a listing, following nextLink (at most `limit` pages). */
export async function all(path, limit = 20) {
  const items = [];
  let next = null;
  for (let i = 0; i < limit; i += 1) {
    const got = await page(path, next);
    items.push(...got.value);
    next = got.nextLink;
    if (!next) break;
  }
  return items;
}

/** The path of `id` (a full resource id) or of its child `suffix`. */
export function at(id, ...suffix) {
  return [id, ...suffix.map(encodeURIComponent)].join("/");
}

/** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.EventGrid` */
export function rgPath(subscription, group) {
  return `/subscriptions/${encodeURIComponent(subscription)}/resourceGroups/${encodeURIComponent(group)}/${EG}`;
}

/** `/subscriptions/{sub}/providers/Microsoft.EventGrid/{kind}`: a subscription-level list. */
export function subList(subscription, kind) {
  return `/subscriptions/${encodeURIComponent(subscription)}/${EG}/${kind}`;
}

/** The parts of a resource id: subscription, resourceGroup, name. */
export function parseId(id) {
  const parts = (id || "").split("/");
  const find = (label) => {
    const i = parts.findIndex((p) => p.toLowerCase() === label.toLowerCase());
    return i >= 0 ? parts[i + 1] : undefined;
  };
  return { subscription: find("subscriptions"), resourceGroup: find("resourceGroups"), name: parts[parts.length - 1] };
}

/**
 * Publishes `events` (CloudEvents) to the namespace or topic whose endpoint URL is `endpoint`,
 * on this origin (only the endpoint's path is used), with `sasKey`; `channel` names the
 * channel for ChannelNameHeader routing.
 */
export async function publish(endpoint, sasKey, events, channel) {
  // The endpoint's own base may carry the stage prefix too: keep only its last segments.
  const full = new URL(endpoint, window.location.href).pathname;
  const found = full.match(/\/(partnerNamespaces|topics)\/[^/]+\/api\/events$/);
  const path = found ? found[0] : full;
  const headers = {
    "aeg-sas-key": sasKey,
    "Content-Type": "application/cloudevents-batch+json; charset=utf-8",
  };
  if (channel) headers["aeg-channel-name"] = channel;
  const target = sameOrigin(path, "?api-version=2018-01-01");
  let response;
  try {
    response = await fetch(target.href, {
      method: "POST",
      headers,
      body: JSON.stringify(events),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "NetworkError", `the server could not be reached (${e.message})`);
  }
  return answer(response);
}
