// The REST API: JSON in and out, errors as ApiError {status, message, errors:[{field, message}]}.
import { freshIdToken, refreshSession, signOut } from "./auth.js";
import { loadConfig } from "./config.js";

export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

const FALLBACK = {
  400: "The request was not valid.",
  401: "Your session has ended. Please sign in again.",
  403: "You are not allowed to do that.",
  404: "Not found.",
  409: "That conflicts with the current state; reload and try again.",
  413: "The upload is too large.",
  429: "Too many requests. Wait a moment and try again.",
};

/**
 * Call the API. Options: method, query (object; empty values left out), json (sent as JSON),
 * form (FormData, sent as multipart/form-data), headers, baseUrl (another API than apiUrl).
 */
export async function api(
  path,
  { method = "GET", query, json, form, headers = {}, baseUrl } = {},
) {
  const config = await loadConfig();
  const url = new URL((baseUrl ?? config.apiUrl) + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const token = await freshIdToken();
  const sent = { Accept: "application/json", ...headers };
  let body;
  if (json !== undefined) {
    sent["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form; // the browser writes the multipart boundary
  }
  const send = async (idToken) => {
    try {
      return await fetch(url, {
        method,
        headers: idToken ? { ...sent, Authorization: idToken } : sent,
        body,
      });
    } catch {
      throw new ApiError(
        0,
        "The hotel service could not be reached. Check your connection and try again.",
      );
    }
  };
  let resp = await send(token);
  if (resp.status === 401 && token) {
    // The token may have ended early (clock skew, revoked): one refresh, one retry.
    const renewed = await refreshSession();
    if (renewed) resp = await send(renewed.idToken);
  }
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) {
    if (resp.status === 401 && token) {
      await signOut();
      throw new ApiError(401, FALLBACK[401]);
    }
    const fallback =
      FALLBACK[resp.status] ??
      (resp.status >= 500
        ? "The hotel service had a problem. Please try again."
        : `HTTP ${resp.status}`);
    const message = typeof data?.message === "string" && data.message ? data.message : fallback;
    const errors = Array.isArray(data?.errors) ? data.errors : [];
    throw new ApiError(resp.status, message, errors);
  }
  return data;
}

/**
 * Follow a list's nextToken for up to `maxPages` pages: a filtered page may be short (even
 * empty) and still carry a nextToken (the API reads a bounded number of items per request).
 * Returns the items and whether more follow.
 */
export async function pagesOf(path, query = {}, maxPages = 10) {
  const items = [];
  let nextToken;
  for (let page = 0; page < maxPages; page += 1) {
    const data = await api(path, { query: nextToken ? { ...query, nextToken } : query });
    items.push(...itemsOf(data));
    nextToken = data?.nextToken;
    if (!nextToken) return { items, more: false };
  }
  return { items, more: true };
}

/** A list response as an array, whether the API sent [...] or {items: [...]}. */
export function itemsOf(data) {
  if (Array.isArray(data)) return data;
  return Array.isArray(data?.items) ? data.items : [];
}

/**
 * Search hotels (public): the search service's route (config.searchUrl, its HTTP API), which
 * answers as GET /hotels does; a config without it searches through the REST API.
 */
export async function searchHotels(query) {
  const config = await loadConfig();
  return config.searchUrl
    ? api("", { query, baseUrl: config.searchUrl })
    : api("/hotels", { query });
}
