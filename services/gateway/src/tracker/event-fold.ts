import {
  STATUS_RANK,
  STATUS_WHILE,
  type Article,
  type InFlightStatus,
  type LlmUsage,
  type Stage,
  type StageError,
  type StageEvent,
  type StageEventData,
} from '@pressroom/contracts';

/** What the writer needs of a stage event; a dead letter becomes one too (a `failed` event). */
export type StageEventInput = Pick<StageEvent, 'request_id' | 'stage' | 'type' | 'attempt' | 'at'> &
  Partial<Pick<StageEvent, 'run' | 'duration_ms' | 'retry_in_ms' | 'error' | 'result'>>;

/** The net effect of a batch's events on one stage row, applied by one guarded UPDATE. */
export interface StageDelta {
  request_id: string;
  /** The run the events belong to (0 for the first); SQL applies only the request's current run's. */
  run: number;
  stage: Stage;
  /** The first `completed`, `failed` or `cancelled`: a stage keeps the first of these for good. */
  terminal: 'completed' | 'failed' | 'cancelled' | null;
  /** The last `started` or `retrying`, which sets the status while the stage is not finished. */
  progress: 'running' | 'retrying' | null;
  attempts: number;
  /**
   * The earliest start: a `started` event's time, or another event's time less its duration (a stage that
   * settles quickly sends no `started` event, STARTED_EVENT_DELAY_MS). Null when the stage was cancelled
   * before it started.
   */
  started_at: string | null;
  finished_at: string | null;
  /** `failed`: its error; otherwise the last retry's error, shown while the retry runs (null: unchanged). */
  error: StageError | null;
}

/** The net effect of a batch's events on one request row. */
export interface RequestDelta {
  request_id: string;
  /** As StageDelta's: a late event of an earlier run (a replay reopened the request since) changes nothing. */
  run: number;
  /** The furthest stage started (any event of a stage says it started), as a status, and its rank (a status only moves forward). */
  progress: InFlightStatus | null;
  progress_rank: number | null;
  /** The first final status reached: `published`, `failed` or `cancelled`. */
  terminal: 'published' | 'failed' | 'cancelled' | null;
  error: (StageError & { stage: Stage }) | null;
  published_url: string | null;
  article: Article | null;
  /** The write stage's LLM usage and cost, stored with the article (and only then: a redelivery adds nothing). */
  usage: LlmUsage | null;
  /** The request's timeline entries from this batch, in order (`ord` 1..n); SQL numbers them after the row's `event_seq`. */
  entries: TimelineEntry[];
  entry_count: number;
}

/**
 * One SSE event as stored in `request_events`. `key` makes a redelivered event (same stage, type and attempt)
 * one row; a `started` a worker skipped is inferred from the stage's next event (`synthesised`).
 */
interface TimelineEntry {
  key: string;
  event: string;
  ord: number;
  data: StageEventData;
}

/**
 * Folds a batch of events, in arrival order, into one delta per stage row and one per request, so each row is
 * written once per batch. The deltas reproduce what applying the events one by one would do: events arrive
 * late or twice (at-least-once, several in flight), so a stage never leaves `completed`/`failed`, attempts only
 * grow, and a request's status only moves forward. The guards that need the row's current state are in SQL.
 */
export function foldEvents(events: readonly StageEventInput[]): { stages: StageDelta[]; requests: RequestDelta[] } {
  const stages = new Map<string, StageDelta>();
  const requests = new Map<string, RequestDelta>();
  for (const e of events) {
    const run = e.run ?? 0;
    const requestKey = `${e.request_id}:${run}`;
    const key = `${requestKey}:${e.stage}`;
    const s = stages.get(key) ?? stages.set(key, newStageDelta(e)).get(key)!;
    const r = requests.get(requestKey) ?? requests.set(requestKey, newRequestDelta(e.request_id, run)).get(requestKey)!;
    s.attempts = Math.max(s.attempts, e.attempt);
    addEntries(r, e);
    if (e.type === 'cancelled') {
      // Found at the stage boundary: the stage never started (or was abandoned), and the request ends here.
      if (e.duration_ms !== undefined) s.started_at = earliest(s.started_at, impliedStart(e));
      if (!s.terminal) Object.assign(s, { terminal: 'cancelled', finished_at: e.at, error: null });
      r.terminal ??= 'cancelled';
      continue;
    }
    s.started_at = earliest(s.started_at, impliedStart(e));
    const status = STATUS_WHILE[e.stage];
    if (STATUS_RANK[status] > (r.progress_rank ?? 0)) Object.assign(r, { progress: status, progress_rank: STATUS_RANK[status] });
    if (e.type === 'started') {
      s.progress = 'running';
    } else if (e.type === 'retrying') {
      s.progress = 'retrying';
      if (!s.terminal) s.error = e.error ?? s.error;
    } else if (!s.terminal) {
      s.terminal = e.type;
      s.finished_at = e.at;
      s.error = e.type === 'failed' ? (e.error ?? null) : null;
    }
    if (e.type === 'completed') {
      r.article ??= e.result?.article ?? null;
      r.usage ??= e.result?.usage ?? null;
      r.published_url = e.result?.published_url ?? r.published_url;
      if (e.stage === 'publish') r.terminal ??= 'published';
    }
    if (e.type === 'failed' && !r.terminal) {
      r.terminal = 'failed';
      r.error = e.error ? { stage: e.stage, ...e.error } : null;
    }
  }
  // In request order, so that concurrent batches (other replicas) tend to lock rows in the same order.
  return { stages: [...stages.values()].sort(byRequestId), requests: [...requests.values()].sort(byRequestId) };
}

function newStageDelta(e: StageEventInput): StageDelta {
  return {
    request_id: e.request_id,
    run: e.run ?? 0,
    stage: e.stage,
    terminal: null,
    progress: null,
    attempts: 0,
    started_at: e.type === 'cancelled' && e.duration_ms === undefined ? null : impliedStart(e),
    finished_at: null,
    error: null,
  };
}

/** The event's timeline entry, after the `started` it implies when none was seen for its stage and attempt. */
function addEntries(r: RequestDelta, e: StageEventInput): void {
  const attempt = Math.max(1, e.attempt);
  const push = (type: StageEventInput['type'], data: StageEventData) => {
    const key = `${e.stage}.${type}.${attempt}`;
    if (r.entries.some((x) => x.key === key)) return;
    r.entries.push({ key, event: `request.${e.stage}.${type}`, ord: r.entries.length + 1, data });
    r.entry_count = r.entries.length;
  };
  const base = { request_id: e.request_id, stage: e.stage, attempt };
  // A stage cancelled at its boundary never started; one abandoned while running did (its duration says when).
  if (e.type !== 'started' && (e.type !== 'cancelled' || e.duration_ms !== undefined))
    push('started', { ...base, type: 'started', at: impliedStart(e), synthesised: true });
  push(e.type, {
    ...base,
    type: e.type,
    at: e.at,
    ...(e.duration_ms !== undefined ? { duration_ms: e.duration_ms } : {}),
    ...(e.retry_in_ms !== undefined ? { retry_in_ms: e.retry_in_ms } : {}),
    ...(e.error ? { error: e.error } : {}),
    ...(e.result?.published_url ? { published_url: e.result.published_url } : {}),
  });
}

function impliedStart(e: StageEventInput): string {
  return e.type !== 'started' && e.duration_ms ? new Date(Date.parse(e.at) - e.duration_ms).toISOString() : e.at;
}

function newRequestDelta(requestId: string, run: number): RequestDelta {
  return {
    request_id: requestId,
    run,
    progress: null,
    progress_rank: null,
    terminal: null,
    error: null,
    published_url: null,
    article: null,
    usage: null,
    entries: [],
    entry_count: 0,
  };
}

function earliest(a: string | null, b: string): string {
  return a === null || Date.parse(b) < Date.parse(a) ? b : a;
}

/**
 * Request id order, as PostgreSQL orders uuids (lower-case hex compares the same): the order in which the writer's
 * statements lock request rows, so that anything else locking several of them in one transaction cannot deadlock.
 */
export function byRequestId(a: { request_id: string | null }, b: { request_id: string | null }): number {
  const x = a.request_id ?? '';
  const y = b.request_id ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
