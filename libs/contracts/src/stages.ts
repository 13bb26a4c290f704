export const STAGES = ['research', 'write', 'publish'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_EVENT_TYPES = ['started', 'completed', 'failed', 'retrying'] as const;
export type StageEventType = (typeof STAGE_EVENT_TYPES)[number];

export const REQUEST_STATUSES = ['queued', 'researching', 'writing', 'publishing', 'published', 'failed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const STAGE_STATUSES = ['pending', 'running', 'retrying', 'completed', 'failed'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

const NEXT: Record<Stage, Stage | null> = { research: 'write', write: 'publish', publish: null };

export function nextStage(stage: Stage): Stage | null {
  return NEXT[stage];
}

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}
