import { api } from '../api.js';
import { badge, h, replace, table, time } from '../dom.js';

/** Users with role, quota and today's usage; an admin changes the quota override and disables or enables accounts. */
export function usersView({ main, attempt }) {
  const list = h('div', { id: 'user-list' });
  const pager = h('div', { class: 'pager' });
  const cursors = [];
  let cursor;

  const patch = (id, body) => attempt(async () => (await api('PATCH', `/v1/admin/users/${id}`, body), await load()));

  function row(u) {
    const quota = h('input', { type: 'number', min: 0, max: 1000000, class: 'quota', placeholder: 'default', value: u.daily_quota ?? '' });
    return h(
      'tr',
      { dataset: { user: u.id, email: u.email } },
      h('td', {}, u.email),
      h('td', {}, u.role),
      h('td', {}, String(u.used_today)),
      h(
        'td',
        {},
        h(
          'form',
          { class: 'inline', onsubmit: (ev) => (ev.preventDefault(), patch(u.id, { daily_quota: quota.value === '' ? null : Number(quota.value) })) },
          quota,
          h('button', { type: 'submit' }, 'Set'),
        ),
      ),
      h('td', {}, u.disabled ? badge('disabled') : badge('active')),
      h('td', {}, time(u.created_at)),
      h(
        'td',
        {},
        h('button', { type: 'button', class: 'toggle-disabled', onclick: () => patch(u.id, { disabled: !u.disabled }) }, u.disabled ? 'Enable' : 'Disable'),
        ' ',
        h('a', { href: `#/requests?user_id=${u.id}` }, 'requests'),
      ),
    );
  }

  async function load() {
    const q = new URLSearchParams({ limit: '50' });
    if (cursor) q.set('cursor', cursor);
    const page = await api('GET', `/v1/admin/users?${q}`);
    replace(list, table(['Email', 'Role', 'Used today', 'Daily quota (empty: default)', 'State', 'Created', ''], page.items.map(row)));
    replace(
      pager,
      h('button', { type: 'button', disabled: cursors.length === 0, onclick: () => attempt(() => ((cursor = cursors.pop()), load())) }, '← Newer'),
      h(
        'button',
        { type: 'button', disabled: !page.next_cursor, onclick: () => attempt(() => (cursors.push(cursor), (cursor = page.next_cursor), load())) },
        'Older →',
      ),
    );
  }

  replace(main, h('h2', {}, 'Users'), list, pager);
  // An input being edited would be wiped by a refresh: this view reloads after a change, not on a timer.
  return { refresh: load, periodic: false };
}
