import { api } from '../api.js';
import { badge, h, replace, table, time } from '../dom.js';

/** Every worker replica's circuit breakers, as they report them to Redis. */
export function breakersView({ main }) {
  const list = h('div', { id: 'breaker-list' });
  async function load() {
    const { items } = await api('GET', '/v1/admin/breakers');
    replace(
      list,
      table(
        ['Service', 'Instance', 'Breaker', 'State', 'Since'],
        items.map((b) =>
          h(
            'tr',
            { dataset: { state: b.state } },
            h('td', {}, b.service),
            h('td', { class: 'mono' }, b.instance),
            h('td', {}, b.name),
            h('td', {}, badge(b.state)),
            h('td', {}, time(b.since)),
          ),
        ),
        'No breaker reported: no worker has called out yet, or none is running.',
      ),
    );
  }
  replace(main, h('h2', {}, 'Breakers'), list);
  return { refresh: load };
}
