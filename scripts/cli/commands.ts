// The three commands. Each returns the process exit code; what it prints goes through `io`.
import { CliError, type ApiClient } from './api-client.ts';
import { followEvents } from './event-stream.ts';
import { COMMANDS, type CommandName } from './usage.ts';
import { FINAL_STATUSES, failureReason, requestDetails, requestList, stagesLine, type Page, type Request, type Submitted } from './render.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** parseArgs' values; no option of the CLI repeats, so none is an array. */
export type Values = Record<string, string | boolean | undefined>;

/** A usage mistake found after parsing (a bad value): printed with the command's usage, exit 2. */
export class UsageError extends Error {}

function positiveInteger(name: string, value: string | boolean | undefined, fallback: number, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number, not "${String(value)}"`);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, not ${n}`);
  return n;
}

// The API's page size limit (GET /v1/requests?limit=).
const MAX_LIST_LIMIT = 100;

/** Every check that needs no gateway, so that a typo exits 2 before anything is sent. */
export function checkUsage(command: CommandName, values: Values): void {
  for (const [name, spec] of Object.entries(COMMANDS[command].options)) {
    const value = values[name];
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value))
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, not "${value}"`);
  }
  if (command === 'submit') {
    positiveInteger('timeout', values['timeout'], 120);
    if (values['webhook-url'] !== undefined && values['channel'] !== 'webhook') throw new UsageError('--webhook-url goes with --channel webhook');
    if (values['channel'] === 'webhook' && values['webhook-url'] === undefined) throw new UsageError('--channel webhook needs --webhook-url URL');
  }
  if (command === 'list') positiveInteger('limit', values['limit'], 20, MAX_LIST_LIMIT);
  if (command === 'watch') positiveInteger('timeout', values['timeout'], 600);
}

/**
 * Follows the request over its event stream, printing each event as it happens (no polling, so none of the hourly
 * read allowance is spent while it runs), then reads the finished request once for its stages and article.
 */
async function follow(api: ApiClient, id: string, timeoutS: number, io: Io): Promise<Request | undefined> {
  let final = false;
  for await (const e of followEvents(api.baseUrl, api.token, id, AbortSignal.timeout(timeoutS * 1000))) {
    io.out(`${eventLine(e.event, e.data)}\n`);
    // The last status counts: a replayed dead letter reopens a failed request.
    if (e.event === 'request.status') final = FINAL_STATUSES.includes(String(e.data['status']));
  }
  if (!final) return undefined;
  const r = await api.call<Request>('GET', `/v1/requests/${id}`);
  io.out(`${stagesLine(r)}\n`);
  return r;
}

export async function submit(api: ApiClient, topic: string, values: Values, io: Io): Promise<number> {
  const timeoutS = positiveInteger('timeout', values['timeout'], 120);
  const body = {
    topic,
    ...(values['tone'] ? { tone: values['tone'] } : {}),
    ...(values['length'] ? { length: values['length'] } : {}),
    ...(values['audience'] ? { audience: values['audience'] } : {}),
    ...(values['channel'] ? { channel: { type: values['channel'], ...(values['webhook-url'] ? { url: values['webhook-url'] } : {}) } } : {}),
  };
  const started = Date.now();
  const created = await api.call<Submitted>('POST', '/v1/requests', body);
  io.out(`submitted ${created.id}\n`);
  // Shown once by the API: without it the receiver can never verify this request's callbacks.
  if (created.webhook_secret) io.out(`webhook secret (verifies this request's callbacks; shown once): ${created.webhook_secret}\n`);
  if (values['no-wait']) return 0;

  const done = await follow(api, created.id, timeoutS, io);
  if (!done) throw new CliError(`request ${created.id} is not finished after ${timeoutS} s; follow it with \`pressroom status ${created.id}\``);
  io.out(`${done.status} in ${Date.now() - started} ms\n`);
  if (done.status === 'failed') {
    io.err(`${failureReason(done)}\n`);
    return 1;
  }
  if (done.status !== 'published') {
    io.err(`request ${done.id} was ${done.status} before it was published\n`);
    return 1;
  }
  io.out(`\n${done.result?.body_markdown ?? ''}\n\npublished at ${done.result?.published_url ?? '(no URL reported)'}\n`);
  return 0;
}

export async function status(api: ApiClient, id: string, values: Values, io: Io): Promise<number> {
  const r = await api.call<Request>('GET', `/v1/requests/${encodeURIComponent(id)}`);
  io.out(values['json'] ? `${JSON.stringify(r, null, 2)}\n` : requestDetails(r));
  return 0;
}

export async function list(api: ApiClient, values: Values, io: Io): Promise<number> {
  const query = new URLSearchParams();
  if (typeof values['status'] === 'string') query.set('status', values['status']);
  if (values['limit'] !== undefined) query.set('limit', String(positiveInteger('limit', values['limit'], 20, MAX_LIST_LIMIT)));
  if (typeof values['cursor'] === 'string') query.set('cursor', values['cursor']);
  const page = await api.call<Page>('GET', `/v1/requests${query.size > 0 ? `?${query}` : ''}`);
  if (values['json']) {
    io.out(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  const again = [values['status'] ? `--status ${String(values['status'])}` : '', values['limit'] !== undefined ? `--limit ${String(values['limit'])}` : '']
    .filter(Boolean)
    .join(' ');
  io.out(requestList(page, again));
  return 0;
}

/**
 * Follows a request over its event stream: one line per stage event and status change, as they happen, with no
 * polling (and none of the hourly read budget spent). Exit 0 once published, 1 once failed or cancelled.
 */
export async function watch(api: ApiClient, id: string, values: Values, io: Io): Promise<number> {
  const timeoutS = positiveInteger('timeout', values['timeout'], 600);
  const signal = AbortSignal.timeout(timeoutS * 1000);
  let final: string | undefined;
  for await (const e of followEvents(api.baseUrl, api.token, id, signal)) {
    if (values['json']) io.out(`${JSON.stringify({ id: e.id, event: e.event, data: e.data })}\n`);
    else io.out(`${eventLine(e.event, e.data)}\n`);
    // The last status counts: a replayed dead letter reopens a failed request.
    if (e.event === 'request.status') final = FINAL_STATUSES.includes(String(e.data['status'])) ? String(e.data['status']) : undefined;
  }
  if (!final) throw new CliError(`request ${id} is not finished after ${timeoutS} s; watch it again to resume`);
  return final === 'published' ? 0 : 1;
}

function eventLine(event: string, data: Record<string, unknown>): string {
  const at = typeof data['at'] === 'string' ? data['at'].slice(11, 23) : '';
  if (event === 'request.status') {
    const error = data['error'] as { stage: string; code: string; message: string } | undefined;
    const url = data['published_url'] ? ` ${String(data['published_url'])}` : '';
    return `${at}  status ${String(data['status'])}${url}${error ? ` (${error.stage}: ${error.code}: ${error.message})` : ''}`;
  }
  const [, stage, type] = event.split('.');
  const duration = typeof data['duration_ms'] === 'number' ? ` ${data['duration_ms']}ms` : '';
  const attempt = typeof data['attempt'] === 'number' && data['attempt'] > 1 ? ` (attempt ${data['attempt']})` : '';
  const error = data['error'] as { code: string; message: string } | undefined;
  return `${at}  ${stage} ${type}${attempt}${duration}${error ? `: ${error.code}: ${error.message}` : ''}`;
}
