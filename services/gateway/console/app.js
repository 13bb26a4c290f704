import { ApiProblem, SessionExpired, api, hasSession, signIn, signOut } from './api.js';
import { h, replace } from './dom.js';
import { breakersView } from './views/breakers.js';
import { deadLettersView } from './views/dead-letters.js';
import { queuesView } from './views/queues.js';
import { requestView } from './views/request.js';
import { requestsView } from './views/requests.js';
import { usersView } from './views/users.js';

const REFRESH_MS = 10_000;
const main = document.getElementById('main');
const problemBox = document.getElementById('problem');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');

let current; // { stop?: () => void, refresh?: () => Promise<void>, periodic?: boolean }
let operator; // the signed-in admin (GET /v1/me), checked after every sign-in
let timer;

/** A problem+json answer as the operator reads it: title, detail, and each field's message. */
export function showProblem(err) {
  if (err instanceof SessionExpired) return showSignIn('Your session has expired. Sign in again.');
  const p = err instanceof ApiProblem ? err.problem : { title: 'Error', detail: String(err?.message ?? err) };
  replace(
    problemBox,
    h('strong', {}, p.title ?? 'Error'),
    p.status ? ` (${p.status}${p.code ? ` ${p.code}` : ''})` : '',
    ': ',
    p.detail ?? '',
    p.errors?.length
      ? h(
          'ul',
          {},
          p.errors.map((e) => h('li', {}, `${e.field}: ${e.message}`)),
        )
      : null,
    h('button', { type: 'button', class: 'link', onclick: clearProblem }, 'dismiss'),
  );
  problemBox.hidden = false;
}

export function clearProblem() {
  problemBox.hidden = true;
  problemBox.replaceChildren();
}

/** Runs an action the operator started; its failure is shown, never swallowed. */
export async function attempt(action) {
  try {
    clearProblem();
    return await action();
  } catch (err) {
    showProblem(err);
    return undefined;
  }
}

function stopView() {
  clearInterval(timer);
  current?.stop?.();
  current = undefined;
}

function showSignIn(message) {
  stopView();
  operator = undefined;
  nav.hidden = true;
  signOutButton.hidden = true;
  who.textContent = '';
  clearProblem();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const note = h('p', { class: message ? 'notice' : 'muted', id: 'sign-in-message' }, message ?? 'Sign in with an admin account.');
  const form = h(
    'form',
    { class: 'sign-in', id: 'sign-in' },
    note,
    h('label', {}, 'Email', email),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await attempt(async () => {
      await signIn(email.value, password.value);
      await route();
    });
  });
  replace(main, form);
  email.focus();
}

async function checkAdmin() {
  const me = await api('GET', '/v1/me');
  if (me.role !== 'admin') {
    await signOut();
    showSignIn(`${me.email} is not an admin: the console needs an account with the admin role.`);
    return undefined;
  }
  return me;
}

async function route() {
  if (!hasSession()) return showSignIn();
  stopView();
  try {
    operator ??= await checkAdmin();
  } catch (err) {
    return showProblem(err);
  }
  if (!operator) return;
  nav.hidden = false;
  signOutButton.hidden = false;
  who.textContent = operator.email;
  // The query first: `#/requests?user_id=…` is the list filtered by a user, not a request whose id is `user_id=…`.
  const [path = '', query = ''] = (location.hash || '#/requests').split('?');
  const [, view, id] = path.split('/');
  const params = new URLSearchParams(query);
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.getAttribute('href') === `#/${view}`);
  const ctx = { main, params, attempt, showProblem };
  const views = {
    requests: () => (id ? requestView(ctx, id) : requestsView(ctx)),
    'dead-letters': () => deadLettersView(ctx),
    queues: () => queuesView(ctx),
    breakers: () => breakersView(ctx),
    users: () => usersView(ctx),
  };
  const build = views[view] ?? views.requests;
  clearProblem();
  const shown = build();
  current = shown;
  try {
    await shown.refresh?.();
  } catch (err) {
    showProblem(err);
  }
  // Periodic refresh for the views without an event stream; a failed refresh shows its problem and keeps trying.
  if (shown.refresh && shown.periodic !== false && current === shown)
    timer = setInterval(() => {
      if (current === shown) shown.refresh().catch(showProblem);
    }, REFRESH_MS);
}

signOutButton.addEventListener('click', async () => {
  operator = undefined;
  await signOut();
  showSignIn('Signed out.');
});
window.addEventListener('hashchange', () => void route());
window.addEventListener('pressroom:session-expired', () => showSignIn('Your session has expired. Sign in again.'));
void route();
