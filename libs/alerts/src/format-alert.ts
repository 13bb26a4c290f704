import type { OutgoingAlert } from './alert.ts';

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** "2 similar alerts suppressed during the 5m cooldown after the previous one", or undefined when none were. */
export function digestLine(a: OutgoingAlert): string | undefined {
  if (a.suppressed <= 0) return undefined;
  const noun = a.suppressed === 1 ? 'alert' : 'alerts';
  return `${a.suppressed} similar ${noun} suppressed during the ${formatDuration(a.cooldown_s)} cooldown after the previous one`;
}

export function headline(a: OutgoingAlert): string {
  return `[${a.severity}] ${a.summary}`;
}

/** Everything on-call needs, one fact a line: what, where, which request and trace, when, how many. */
function alertLines(a: OutgoingAlert): string[] {
  const lines = [headline(a), `kind: ${a.kind}`, `service: ${a.service}`, `instance: ${a.instance}`];
  if (a.stage) lines.push(`stage: ${a.stage}`);
  if (a.request_id) lines.push(`request_id: ${a.request_id}`);
  if (a.trace_id) lines.push(`trace_id: ${a.trace_id}`);
  for (const [k, v] of Object.entries(a.details ?? {})) lines.push(`${k}: ${v}`);
  lines.push(`time: ${a.time}`);
  const digest = digestLine(a);
  if (digest) lines.push(digest);
  return lines;
}

export function alertText(a: OutgoingAlert): string {
  return alertLines(a).join('\n');
}

/** Subject lines are one line: a summary carrying a newline must not start a new header. */
export function emailSubject(a: OutgoingAlert): string {
  return `[pressroom][${a.severity}] ${a.summary}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
}
