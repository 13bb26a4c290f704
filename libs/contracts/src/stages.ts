export const STAGES = ['research', 'write', 'publish'] as const;
export type Stage = (typeof STAGES)[number];

/** `cancelled`: a worker found the request's cancel marker at a stage boundary (or abandoned the stage for it). */
export const STAGE_EVENT_TYPES = ['started', 'completed', 'failed', 'retrying', 'cancelled'] as const;
export type StageEventType = (typeof STAGE_EVENT_TYPES)[number];

export const REQUEST_STATUSES = ['queued', 'researching', 'writing', 'publishing', 'published', 'failed', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A request in one of these never changes again. */
export const FINAL_REQUEST_STATUSES = ['published', 'failed', 'cancelled'] as const satisfies readonly RequestStatus[];

export function isFinalStatus(status: string): boolean {
  return (FINAL_REQUEST_STATUSES as readonly string[]).includes(status);
}

export const STAGE_STATUSES = ['pending', 'running', 'retrying', 'completed', 'failed', 'cancelled'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** A stage in one of these keeps it for good. */
export const FINAL_STAGE_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly StageStatus[];

/** A request's status while one of its stages is under way. */
export type InFlightStatus = 'researching' | 'writing' | 'publishing';
export const STATUS_WHILE: Record<Stage, InFlightStatus> = { research: 'researching', write: 'writing', publish: 'publishing' };

/**
 * How far along a status is, from the order of REQUEST_STATUSES, every final status last and equal: a request's
 * status only moves forward (the tracker compares ranks, in TypeScript and in SQL).
 */
export const STATUS_RANK = Object.fromEntries(
  REQUEST_STATUSES.map((s, i) => [s, isFinalStatus(s) ? REQUEST_STATUSES.length - FINAL_REQUEST_STATUSES.length : i]),
) as Record<RequestStatus, number>;

const NEXT: Record<Stage, Stage | null> = { research: 'write', write: 'publish', publish: null };

export function nextStage(stage: Stage): Stage | null {
  return NEXT[stage];
}
