import type { HttpClient } from '@pressroom/resilience';
import type { OutgoingAlert } from '../alert.ts';
import { alertText, digestLine, headline } from '../format-alert.ts';
import type { AlertSink } from './sink.ts';

/** Slack's mrkdwn treats these three as control characters; everything else is literal. */
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The incoming-webhook body: `text` is the notification and fallback, `blocks` the readable layout. */
export function slackPayload(a: OutgoingAlert) {
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${escape(value)}` });
  const fields = [field('Kind', a.kind), field('Service', a.service), field('Instance', a.instance)];
  if (a.stage) fields.push(field('Stage', a.stage));
  if (a.request_id) fields.push(field('Request id', a.request_id));
  if (a.trace_id) fields.push(field('Trace id', a.trace_id));
  const blocks: object[] = [
    // Header blocks hold plain text of at most 150 characters.
    { type: 'header', text: { type: 'plain_text', text: headline(a).slice(0, 150) } },
    { type: 'section', fields },
  ];
  const details = Object.entries(a.details ?? {});
  if (details.length > 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: details.map(([k, v]) => `*${escape(k)}*: ${escape(String(v))}`).join('\n') } });
  const digest = digestLine(a);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escape(digest ? `${a.time} · ${digest}` : a.time) }] });
  return { text: escape(alertText(a)), blocks };
}

export function createSlackSink(deps: { url: string; http: HttpClient }): AlertSink {
  return {
    name: 'slack',
    async send(alert, signal) {
      await deps.http.post(deps.url, { json: slackPayload(alert), signal });
    },
  };
}
