import { api } from '../api.js';
import { h, replace, table } from '../dom.js';

const age = (s) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

/** Each stage's backlog: the broker's counts beside the gateway's own view of what waits and for how long. */
export function queuesView({ main }) {
  const list = h('div', { id: 'queue-list' });
  async function load() {
    const { items } = await api('GET', '/v1/admin/queues');
    replace(
      list,
      table(
        ['Stage', 'Ready in queue', 'In backoff', 'Waiting requests', 'Oldest waiting', 'Dead letters'],
        items.map((q) =>
          h(
            'tr',
            { dataset: { stage: q.stage } },
            h('td', {}, q.stage),
            h('td', {}, q.ready ?? 'broker unreachable'),
            h('td', {}, q.delayed ?? '—'),
            h('td', {}, String(q.waiting)),
            h('td', {}, q.waiting ? age(q.oldest_waiting_s) : '—'),
            h('td', {}, h('a', { href: `#/dead-letters?stage=${q.stage}` }, String(q.dead_letters))),
          ),
        ),
      ),
    );
  }
  replace(main, h('h2', {}, 'Queues'), list);
  return { refresh: load };
}
