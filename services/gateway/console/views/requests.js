import { api } from '../api.js';
import { badge, h, replace, table, time } from '../dom.js';

const STATUSES = ['', 'queued', 'researching', 'writing', 'publishing', 'published', 'failed', 'cancelled'];

/** `datetime-local` (the operator's local time) to an RFC 3339 instant, or undefined when empty. */
const instant = (value) => (value ? new Date(value).toISOString() : undefined);

/** Every user's requests, filtered by status, user and creation time, paged by cursor (newest first). */
export function requestsView({ main, params, attempt }) {
  const status = h(
    'select',
    { name: 'status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === (params.get('status') ?? '') }, s || 'any status')),
  );
  const user = h('input', {
    name: 'user',
    placeholder: 'user e-mail or id',
    size: 38,
    value: params.get('user_email') ?? params.get('user_id') ?? '',
  });
  const after = h('input', { name: 'created_after', type: 'datetime-local' });
  const before = h('input', { name: 'created_before', type: 'datetime-local' });
  const list = h('div', { id: 'request-list' });
  const pager = h('div', { class: 'pager' });
  const cursors = []; // the cursors of the pages before this one
  let cursor;

  const filters = h(
    'form',
    { class: 'filters', id: 'request-filters' },
    status,
    user,
    h('label', {}, 'from ', after),
    h('label', {}, 'to ', before),
    h('button', { type: 'submit' }, 'Filter'),
  );
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    cursors.length = 0;
    cursor = undefined;
    void attempt(load);
  });

  async function load() {
    const q = new URLSearchParams({ limit: '20' });
    if (status.value) q.set('status', status.value);
    const who = user.value.trim();
    if (who) q.set(who.includes('@') ? 'user_email' : 'user_id', who);
    const a = instant(after.value);
    const b = instant(before.value);
    if (a) q.set('created_after', a);
    if (b) q.set('created_before', b);
    if (cursor) q.set('cursor', cursor);
    const page = await api('GET', `/v1/admin/requests?${q}`);
    replace(
      list,
      table(
        ['Created', 'Status', 'Topic', 'User', 'Id'],
        page.items.map((r) =>
          h(
            'tr',
            { dataset: { id: r.id, status: r.status } },
            h('td', {}, time(r.created_at)),
            h('td', {}, badge(r.status)),
            h('td', {}, h('a', { href: `#/requests/${r.id}` }, r.topic)),
            h('td', { class: 'mono' }, h('a', { href: `#/requests?user_id=${r.user_id}` }, r.user_id.slice(0, 8))),
            h('td', { class: 'mono' }, r.id.slice(0, 8)),
          ),
        ),
        'No request matches these filters.',
      ),
    );
    replace(
      pager,
      h('button', { type: 'button', disabled: cursors.length === 0, onclick: () => attempt(() => ((cursor = cursors.pop()), load())) }, '← Newer'),
      h(
        'button',
        {
          type: 'button',
          id: 'next-page',
          disabled: !page.next_cursor,
          onclick: () => attempt(() => (cursors.push(cursor), (cursor = page.next_cursor), load())),
        },
        'Older →',
      ),
    );
  }

  replace(main, h('h2', {}, 'Requests'), filters, list, pager);
  // Only the first page refreshes by itself: a later page would shift under the operator's eyes.
  return { refresh: () => (cursor ? Promise.resolve() : load()) };
}
