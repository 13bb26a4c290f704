// The console's only way to the gateway: its documented HTTP API (/openapi.json), with the operator's tokens.
const STORE = 'pressroom.console.session';

export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? { title: `HTTP ${status}`, detail: 'the gateway gave no problem details', status };
  }
}

/** The session has ended (expired or revoked refresh token): the operator must sign in again. */
export class SessionExpired extends Error {}

// sessionStorage: the tab's session survives a reload but not the tab, and no other site can read it.
let session = JSON.parse(sessionStorage.getItem(STORE) ?? 'null');
const save = (s) => {
  session = s;
  if (s) sessionStorage.setItem(STORE, JSON.stringify(s));
  else sessionStorage.removeItem(STORE);
};

export const hasSession = () => session !== null;

async function send(method, path, { body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, ok: res.ok, json };
}

export async function signIn(email, password) {
  const res = await send('POST', '/v1/auth/login', { body: { email, password } });
  if (!res.ok) throw new ApiProblem(res.status, res.json);
  save({ access: res.json.access_token, refresh: res.json.refresh_token });
}

/** Ends the session on the gateway too: with an access token that has expired meanwhile, after a refresh. */
export async function signOut() {
  if (!session) return;
  try {
    await api('POST', '/v1/auth/logout', {});
  } catch {
    // Forgotten here whatever the gateway answered; an unreachable gateway leaves the session to expire.
  } finally {
    save(null);
  }
}

let refreshing;
/** One refresh at a time: parallel calls that all met a 401 wait for the same rotation (a second use of the spent token would revoke the family). */
function refresh() {
  refreshing ??= (async () => {
    const res = await send('POST', '/v1/auth/refresh', { body: { refresh_token: session.refresh } });
    // Only a refused refresh token ends the session. A 503 (a replica starting, the database away), a 429 or a 500
    // is the gateway's moment, not the operator's: shown, and the next action tries again with the same tokens.
    if (res.status === 400 || res.status === 401) {
      save(null);
      throw new SessionExpired('your session has expired');
    }
    if (!res.ok) throw new ApiProblem(res.status, res.json);
    save({ access: res.json.access_token, refresh: res.json.refresh_token });
  })().finally(() => (refreshing = undefined));
  return refreshing;
}

/** A call with the access token; a 401 refreshes once and retries, and a failed refresh is SessionExpired. */
export async function api(method, path, body) {
  if (!session) throw new SessionExpired('not signed in');
  const used = session.access;
  let res = await send(method, path, { body, token: used });
  if (res.status === 401) {
    // Another call may have rotated the pair meanwhile; then its new access token is simply tried.
    if (session?.access === used) await refresh();
    if (!session) throw new SessionExpired('your session has expired');
    res = await send(method, path, { body, token: session.access });
    if (res.status === 401) {
      save(null);
      throw new SessionExpired('your session has expired');
    }
  }
  if (!res.ok) throw new ApiProblem(res.status, res.json);
  return res.json;
}

/** The request's event stream through a single-use ticket (EventSource cannot send an Authorization header). */
export async function openEventStream(requestId) {
  const { events_url: url } = await api('POST', '/v1/stream-tickets', { request_id: requestId });
  return new EventSource(url);
}
