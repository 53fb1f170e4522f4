// The API client: every call is same-origin (the CSP allows no other), carries the operator's key as a Bearer
// token when there is one, and is bounded in time. Errors keep the server's stable code and its message.

const KEY_ITEM = 'wallet-console-key';
/** No call waits longer than this for its answer. */
const TIMEOUT_MS = 20000;

/** The key lives in sessionStorage only: gone when the tab closes; never in a cookie or in local storage. */
export function key() {
  return sessionStorage.getItem(KEY_ITEM);
}

export function signIn(value) {
  sessionStorage.setItem(KEY_ITEM, value);
}

export function signOut() {
  sessionStorage.removeItem(KEY_ITEM);
}

/** The key's id, the part between "wlk_" and the dot: what the server records as the actor. */
export function keyId(value) {
  const match = /^wlk_([A-Za-z0-9_-]{1,64})\./.exec(value || '');
  return match ? match[1] : null;
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }

  /** The route is not on this server (an older version): a 404 or 405 without a ledger error code. */
  get missing() {
    return (this.status === 404 && this.code === 'NOT_FOUND') || this.status === 405;
  }
}

/** options.anonymous: send no key (to learn whether the server asks for one). */
export async function call(method, path, body, options) {
  const headers = { Accept: 'application/json' };
  const current = options && options.anonymous ? null : key();
  if (current) {
    headers.Authorization = 'Bearer ' + current;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e && e.name === 'AbortError'
      ? 'the server did not answer within ' + TIMEOUT_MS / 1000 + ' s'
      : 'the server could not be reached');
  } finally {
    clearTimeout(timer);
  }
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  try {
    data = type.startsWith('application/json') ? await response.json() : await response.text();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const error = data && typeof data === 'object' && data.error ? data.error : {};
    throw new ApiError(response.status, error.code || 'HTTP_' + response.status,
      error.message || 'the server answered ' + response.status, error.details);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
export const put = (path, body) => call('PUT', path, body);

/** One path segment, percent-encoded (a user id may hold "/", "?", "#"...). */
export function seg(value) {
  return encodeURIComponent(value);
}

/** A query string from the set values of params: "?a=1&b=2", or "" when none is set. */
export function query(params) {
  const parts = [];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      parts.push(encodeURIComponent(name) + '=' + encodeURIComponent(value));
    }
  }
  return parts.length ? '?' + parts.join('&') : '';
}
