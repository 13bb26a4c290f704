// How the CLI prints the API's views. The types are the contracts' own schemas, so a view that changes shape
// is a compile error here too.
import type { Static } from '@sinclair/typebox';
import type { RequestPage, RequestView, StageView, SubmittedRequest } from '@pressroom/contracts';

export type Request = Static<typeof RequestView>;
type Stage = Static<typeof StageView>;
export type Submitted = Static<typeof SubmittedRequest>;
export type Page = Static<typeof RequestPage>;

/** Statuses after which a request never changes again. */
export const FINAL_STATUSES: readonly string[] = ['published', 'failed', 'cancelled'];

/** `research:completed 120ms  write:running  publish:pending`: one line per change while following. */
export function stagesLine(r: Request): string {
  const stages = r.stages.map((s) => `${s.stage}:${s.status}${s.attempts > 1 ? `(x${s.attempts})` : ''}${s.duration_ms !== null ? ` ${s.duration_ms}ms` : ''}`);
  return `${r.status.padEnd(11)} ${stages.join('  ')}`;
}

/** The stage that failed the request: the one marked failed, else the last one holding an error. */
function failedStage(r: Request): Stage | undefined {
  return r.stages.find((s) => s.status === 'failed') ?? r.stages.findLast((s) => s.error !== null);
}

/** Why a request failed, naming its stage, the error code and message from `stages[].error`. */
export function failureReason(r: Request): string {
  const stage = failedStage(r);
  if (!stage) return `request ${r.id} failed, and no stage recorded why (GET /v1/admin/dead-letters may say more)`;
  if (!stage.error) return `request ${r.id} failed at the ${stage.stage} stage, which recorded no error code (GET /v1/admin/dead-letters may say more)`;
  return `request ${r.id} failed at the ${stage.stage} stage: ${stage.error.code}: ${stage.error.message}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function requestDetails(r: Request): string {
  const lines = [
    `id        ${r.id}`,
    `status    ${r.status}`,
    `topic     ${r.topic}`,
    `options   tone ${r.tone}, length ${r.length}, channel ${r.channel.type}${r.channel.url ? ` ${r.channel.url}` : ''}${r.audience ? `, audience "${r.audience}"` : ''}`,
    `created   ${r.created_at}`,
    `updated   ${r.updated_at}`,
    ...(r.trace_id ? [`trace     ${r.trace_id}`] : []),
    'stages',
    ...table(
      r.stages.map((s) => [
        `  ${s.stage}`,
        s.status,
        s.attempts === 1 ? '1 attempt' : `${s.attempts} attempts`,
        s.duration_ms !== null ? `${s.duration_ms} ms` : '-',
        s.error ? `${s.error.code}: ${s.error.message}` : '',
      ]),
    ),
  ];
  if (r.result) {
    lines.push(`title     ${r.result.title}`, `sources   ${r.result.sources.length}`, `published ${r.result.published_url ?? 'not yet'}`);
  }
  if (r.status === 'failed') lines.push('', failureReason(r));
  return `${lines.join('\n')}\n`;
}

/** `again`: the filters to repeat with --cursor for the next page. */
export function requestList(page: Page, again = ''): string {
  if (page.items.length === 0) return 'no requests\n';
  const rows = [['ID', 'STATUS', 'CREATED', 'TOPIC'], ...page.items.map((r) => [r.id, r.status, r.created_at, r.topic])];
  const lines = table(rows);
  if (page.next_cursor) lines.push('', `more: pressroom list ${again ? `${again} ` : ''}--cursor ${page.next_cursor}`);
  return `${lines.join('\n')}\n`;
}
