// Calls to ia-sched's /v1 API with the signed-in token as a bearer header. The token
// lives in sessionStorage (this tab only, gone when it closes); no cookies are used, so
// no other site can make the browser act for the user.

const KEY = 'ia.console.token';

export const session = {
  token: () => sessionStorage.getItem(KEY) || '',
  save: (token) => sessionStorage.setItem(KEY, token),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || '';
  }
}

// Listeners for a refused token (401): the app signs out and says why.
const refusedListeners = new Set();
export function onTokenRefused(fn) {
  refusedListeners.add(fn);
  return () => refusedListeners.delete(fn);
}

// Listeners for a failed connection: the event stream is likely down too, and
// reconnects (with Last-Event-ID) instead of waiting on a socket that may be dead.
const unreachableListeners = new Set();
export function onUnreachable(fn) {
  unreachableListeners.add(fn);
  return () => unreachableListeners.delete(fn);
}

export function authHeaders(token = session.token()) {
  return { Authorization: `Bearer ${token}` };
}

export async function api(method, path, body, { token, signal } = {}) {
  const headers = authHeaders(token);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    unreachableListeners.forEach((fn) => fn());
    throw new ApiError(0, 'UNREACHABLE', 'ia-sched cannot be reached', String(error.message || error));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const failure = new ApiError(response.status, error.code || `HTTP_${response.status}`,
      error.message || text || response.statusText, error.details);
    if (response.status === 401 && token === undefined) refusedListeners.forEach((fn) => fn(failure));
    throw failure;
  }
  return data;
}

// Checks a token before keeping it: /v1/stats answers clients and admins only, so a node
// token gets a 403 here and is refused with a message that says what to use instead.
export async function checkToken(token) {
  try {
    await api('GET', '/v1/stats', undefined, { token });
    return { ok: true };
  } catch (error) {
    if (error.status === 401) {
      return { ok: false, message: 'This token is not known to ia-sched. Check it, or ask an admin for one: ia-sched token create --role client.' };
    }
    if (error.status === 403) {
      // The server names the caller: "a node token may not GET /v1/stats".
      const role = /^an? ([a-z]+) token\b/.exec(error.message) || /role '([a-z]+)'/.exec(error.message);
      const what = role ? `a ${role[1]} token` : 'a token without access to the console';
      return { ok: false, message: `This is ${what}. The console needs a client or admin token: ia-sched token create --role client.` };
    }
    return { ok: false, message: `Could not check the token: ${error.message}` };
  }
}
