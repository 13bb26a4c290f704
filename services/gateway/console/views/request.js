import { api, openEventStream } from '../api.js';
import { badge, duration, h, replace, safeLink, table, time } from '../dom.js';
import { articleView } from './article.js';

const FINAL = new Set(['published', 'failed', 'cancelled']);
const STREAM_EVENTS = ['research', 'write', 'publish']
  .flatMap((stage) => ['started', 'completed', 'failed', 'retrying', 'cancelled'].map((t) => `request.${stage}.${t}`))
  .concat('request.status');

const errorText = (e) => (e ? `${e.code}: ${e.message}` : '—');

/** One request's timeline, events, dead letters and article, followed live over its event stream until it is final. */
export function requestView({ main, attempt, showProblem }, id) {
  const body = h('div', { id: 'request-detail' });
  let stream;
  let opening = false;
  let stopped = false;
  let pending;

  async function load() {
    const r = await api('GET', `/v1/admin/requests/${encodeURIComponent(id)}`);
    render(r);
    if (!FINAL.has(r.status)) await follow();
    else closeStream();
  }

  // Events arrive in bursts (started, completed, status): one reload per burst.
  const reloadSoon = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void load().catch(showProblem), 150);
  };

  async function follow() {
    // One stream at a time, and none once the view is left: a reload and the refresh timer may both get here while
    // the ticket is being fetched, and the operator may navigate away meanwhile.
    if (stream || opening || stopped) return;
    opening = true;
    let opened;
    try {
      opened = await openEventStream(id);
    } finally {
      opening = false;
    }
    if (stopped) return opened.close();
    stream = opened;
    for (const name of STREAM_EVENTS) stream.addEventListener(name, reloadSoon);
    // A ticket is single use: on a dropped stream, reconnecting would be refused, so the view reloads, which opens a new one if still needed.
    stream.addEventListener('error', () => {
      closeStream();
      if (!stopped) setTimeout(() => void load().catch(showProblem), 2000);
    });
  }

  function closeStream() {
    stream?.close();
    stream = undefined;
  }

  function render(r) {
    const live = !FINAL.has(r.status);
    replace(
      body,
      h('h2', {}, r.topic),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h('dd', { id: 'request-status', dataset: { status: r.status } }, badge(r.status), live ? h('span', { class: 'muted' }, ' live') : null),
        h('dt', {}, 'Owner'),
        h('dd', {}, r.user_email, ' ', h('span', { class: 'mono muted' }, r.user_id)),
        h('dt', {}, 'Id'),
        h('dd', { class: 'mono' }, r.id),
        h('dt', {}, 'Created'),
        h('dd', {}, time(r.created_at)),
        h('dt', {}, 'Audience'),
        h('dd', { id: 'request-audience' }, r.audience ?? '—'),
        h('dt', {}, 'Tone, length'),
        h('dd', {}, `${r.tone}, ${r.length}`),
        h('dt', {}, 'Channel'),
        h('dd', {}, r.channel.type),
        h('dt', {}, 'Trace'),
        h(
          'dd',
          {},
          r.trace_url
            ? h('span', { id: 'trace-link' }, safeLink(r.trace_url, `Open trace ${r.trace_id} in Jaeger`))
            : r.trace_id
              ? h('span', { class: 'mono' }, r.trace_id)
              : '—',
        ),
        r.error ? [h('dt', {}, 'Error'), h('dd', { class: 'error' }, `${r.error.stage ?? ''} ${errorText(r.error)}`)] : null,
      ),
      h('h3', {}, 'Stages'),
      table(
        ['Stage', 'Status', 'Attempts', 'Started', 'Finished', 'Duration', 'Error'],
        r.stages.map((s) =>
          h(
            'tr',
            { dataset: { stage: s.stage } },
            h('td', {}, s.stage),
            h('td', {}, badge(s.status)),
            h('td', {}, String(s.attempts)),
            h('td', {}, time(s.started_at)),
            h('td', {}, time(s.finished_at)),
            h('td', {}, duration(s.duration_ms)),
            h('td', {}, errorText(s.error)),
          ),
        ),
      ),
      h('h3', {}, 'Dead letters'),
      table(
        ['Stage', 'Reason', 'Detail', 'Attempts', 'Dead at', 'Replayed', ''],
        r.dead_letters.map((d) =>
          h(
            'tr',
            { dataset: { letter: d.id } },
            h('td', {}, d.stage),
            h('td', {}, d.reason),
            h('td', { class: 'detail' }, d.detail ?? '—'),
            h('td', {}, String(d.attempts)),
            h('td', {}, time(d.dead_at)),
            h('td', {}, time(d.replayed_at)),
            h(
              'td',
              {},
              d.replayed_at
                ? ''
                : h(
                    'button',
                    {
                      type: 'button',
                      class: 'replay',
                      onclick: () => attempt(async () => (await api('POST', `/v1/admin/dead-letters/${d.id}/replay`, {}), await load())),
                    },
                    'Replay',
                  ),
            ),
          ),
        ),
        'No dead letters.',
      ),
      h('h3', {}, 'Events'),
      table(
        ['#', 'Event', 'At', 'Attempt', 'Duration', 'Detail'],
        r.events.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, String(e.seq)),
            h('td', { class: 'mono' }, e.event),
            h('td', {}, time(e.data.at)),
            h('td', {}, e.data.attempt ?? ''),
            h('td', {}, duration(e.data.duration_ms)),
            h('td', {}, e.data.error ? errorText(e.data.error) : e.data.retry_in_ms ? `retry in ${duration(e.data.retry_in_ms)}` : (e.data.status ?? '')),
          ),
        ),
        'No events yet.',
      ),
      h('h3', {}, 'Article'),
      articleView(r.result),
      h('p', {}, h('a', { href: '#/requests' }, '← All requests')),
    );
  }

  replace(main, body);
  return {
    refresh: load,
    periodic: false,
    stop() {
      stopped = true;
      clearTimeout(pending);
      closeStream();
    },
  };
}
