import { api } from '../api.js';
import { h, replace, table, time } from '../dom.js';

const STAGES = ['research', 'write', 'publish'];

/** Dead letters by stage, with replay of one or of every waiting letter of a stage. */
export function deadLettersView({ main, params, attempt }) {
  const stage = h(
    'select',
    { name: 'stage' },
    ['', ...STAGES].map((s) => h('option', { value: s, selected: s === (params.get('stage') ?? '') }, s || 'every stage')),
  );
  const replayed = h('input', { type: 'checkbox', name: 'include_replayed' });
  const list = h('div', { id: 'dead-letter-list' });
  const summary = h('p', { class: 'replay-all' });
  stage.addEventListener('change', () => void attempt(load));
  replayed.addEventListener('change', () => void attempt(load));

  const replay = (target, what) =>
    attempt(async () => {
      const r = await api('POST', `/v1/admin/dead-letters/${encodeURIComponent(target)}/replay`, {});
      replace(summary, `${what}: ${r.replayed} replayed, ${r.skipped} skipped (not a valid task).`);
      await load();
    });

  async function load() {
    const q = new URLSearchParams({ limit: '200' });
    if (stage.value) q.set('stage', stage.value);
    if (replayed.checked) q.set('include_replayed', 'true');
    const { items } = await api('GET', `/v1/admin/dead-letters?${q}`);
    replace(
      list,
      h(
        'p',
        {},
        STAGES.map((s) => {
          const n = items.filter((d) => d.stage === s && !d.replayed_at).length;
          return h(
            'button',
            { type: 'button', class: 'replay-stage', dataset: { stage: s }, disabled: n === 0, onclick: () => replay(s, `Replay all ${s}`) },
            `Replay all ${s} (${n})`,
          );
        }),
      ),
      table(
        ['Dead at', 'Stage', 'Reason', 'Detail', 'Attempts', 'Request', 'Replayed', ''],
        items.map((d) =>
          h(
            'tr',
            { dataset: { letter: d.id, request: d.request_id ?? '' } },
            h('td', {}, time(d.dead_at)),
            h('td', {}, d.stage),
            h('td', {}, d.reason),
            h('td', { class: 'detail' }, d.detail ?? '—'),
            h('td', {}, String(d.attempts)),
            h('td', { class: 'mono' }, d.request_id ? h('a', { href: `#/requests/${d.request_id}` }, d.request_id.slice(0, 8)) : '—'),
            h('td', {}, time(d.replayed_at)),
            h('td', {}, d.replayed_at ? '' : h('button', { type: 'button', class: 'replay', onclick: () => replay(d.id, 'Replay') }, 'Replay')),
          ),
        ),
        'No dead letters waiting.',
      ),
    );
  }

  replace(main, h('h2', {}, 'Dead letters'), h('form', { class: 'filters' }, stage, h('label', {}, replayed, ' include replayed')), summary, list);
  return { refresh: load };
}
