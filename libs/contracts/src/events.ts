import { Type, type Static } from '@sinclair/typebox';
import { STAGES, STAGE_EVENT_TYPES } from './stages.ts';
import { Article, Source } from './payloads.ts';
import { StringEnum } from './string-enum.ts';

const strict = { additionalProperties: false } as const;

export const StageError = Type.Object({ code: Type.String({ maxLength: 100 }), message: Type.String({ maxLength: 2000 }) }, strict);
export type StageError = Static<typeof StageError>;

const Tokens = Type.Union([Type.Integer({ minimum: 0, maximum: 100_000_000 }), Type.Null()]);
const Usd = Type.Union([Type.Number({ minimum: 0, maximum: 1_000_000 }), Type.Null()]);

/**
 * What the write stage's LLM call used, and its estimated cost in USD from LLM_PRICES. Tokens are null when the
 * provider did not report them, `cost_usd` null when the model has no price. A cached answer made no call: its
 * tokens and cost are 0, and `saved` holds what the call it reused had used (its cost at today's prices).
 */
export const LlmUsage = Type.Object(
  {
    provider: Type.String({ maxLength: 50 }),
    model: Type.String({ maxLength: 200 }),
    cached: Type.Boolean(),
    input_tokens: Tokens,
    output_tokens: Tokens,
    cost_usd: Usd,
    saved: Type.Union([Type.Object({ input_tokens: Tokens, output_tokens: Tokens, cost_usd: Usd }, strict), Type.Null()]),
  },
  strict,
);
export type LlmUsage = Static<typeof LlmUsage>;

/** What a stage reports back; the gateway's tracker folds these into the request's timeline. */
export const StageResult = Type.Object(
  {
    sources: Type.Optional(Type.Array(Type.Pick(Source, ['title', 'url']), { maxItems: 20 })),
    article: Type.Optional(Article),
    published_url: Type.Optional(Type.String({ maxLength: 2048 })),
    usage: Type.Optional(LlmUsage),
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
    /** The task's run (Envelope.run): absent for the request's first run. */
    run: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
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
