import { Type, type Static } from '@sinclair/typebox';
import { STAGES, STAGE_EVENT_TYPES } from './stages.ts';
import { Article, Source } from './payloads.ts';
import { StringEnum } from './string-enum.ts';

const strict = { additionalProperties: false } as const;

export const StageError = Type.Object({ code: Type.String({ maxLength: 100 }), message: Type.String({ maxLength: 2000 }) }, strict);
export type StageError = Static<typeof StageError>;

/** What a stage reports back; the gateway's tracker folds these into the request's timeline. */
export const StageResult = Type.Object(
  {
    sources: Type.Optional(Type.Array(Type.Pick(Source, ['title', 'url']), { maxItems: 20 })),
    article: Type.Optional(Article),
    published_url: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  strict,
);
export type StageResult = Static<typeof StageResult>;

export const StageEvent = Type.Object(
  {
    event_id: Type.String({ minLength: 1, maxLength: 100 }),
    message_id: Type.String({ minLength: 1, maxLength: 100 }),
    request_id: Type.String({ format: 'uuid' }),
    user_id: Type.String({ format: 'uuid' }),
    stage: StringEnum(STAGES),
    type: StringEnum(STAGE_EVENT_TYPES),
    attempt: Type.Integer({ minimum: 1 }),
    at: Type.String({ format: 'date-time' }),
    duration_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    retry_in_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    error: Type.Optional(StageError),
    result: Type.Optional(StageResult),
    trace_id: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);
export type StageEvent = Static<typeof StageEvent>;
