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
      replace(
        summary,
        `${what}: ${r.replayed} replayed, ${r.skipped} skipped (a letter that is not a valid task, or whose request is no longer failed: back in flight or finished).`,
      );
      await load();
    });
  // Every waiting letter of the stage, not only the rows shown: asked first, with the count the gateway has.
  const replayAll = (s, n) => {
    if (!window.confirm(`Replay all ${n} waiting ${s} dead ${n === 1 ? 'letter' : 'letters'}? Each failed request runs its ${s} stage again.`)) return;
    void replay(s, `Replay all ${s}`);
  };

  async function load() {
    const q = new URLSearchParams({ limit: '200' });
    if (stage.value) q.set('stage', stage.value);
    if (replayed.checked) q.set('include_replayed', 'true');
    // The list shows at most 200 rows (of the chosen stage); the per-stage counts are the gateway's, of every letter waiting.
    const [{ items }, queues] = await Promise.all([api('GET', `/v1/admin/dead-letters?${q}`), api('GET', '/v1/admin/queues')]);
    const waiting = new Map(queues.items.map((item) => [item.stage, item.dead_letters]));
    replace(
      list,
      h(
        'p',
        {},
        STAGES.map((s) => {
          const n = waiting.get(s) ?? 0;
          return h(
            'button',
            { type: 'button', class: 'replay-stage', dataset: { stage: s }, disabled: n === 0, onclick: () => replayAll(s, n) },
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
