import { Type, type Static } from '@sinclair/typebox';
import { STAGES } from './stages.ts';
import { StringEnum } from './string-enum.ts';

const strict = { additionalProperties: false } as const;

export const Tone = StringEnum(['neutral', 'formal', 'casual', 'persuasive'] as const);
export const Length = StringEnum(['short', 'medium', 'long'] as const);

const ChannelType = StringEnum(['file', 'webhook', 'wordpress'] as const);
const ChannelUrl = Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' });
const EndpointId = Type.String({ format: 'uuid', maxLength: 36 });

/**
 * A discriminated channel as a client gives it: a webhook names either an ad-hoc `url` or a registered
 * `endpoint_id` (one of them, and not both: with `type`, at most two properties); other channels take neither.
 */
export const Channel = Type.Object(
  { type: ChannelType, url: Type.Optional(ChannelUrl), endpoint_id: Type.Optional(EndpointId) },
  {
    ...strict,
    if: { properties: { type: { const: 'webhook' } } },
    then: { anyOf: [{ required: ['url'] }, { required: ['endpoint_id'] }], maxProperties: 2 },
    else: { maxProperties: 1 },
  },
);
export type Channel = Static<typeof Channel>;

/**
 * The channel as tasks carry it: the gateway resolves a registered endpoint to its `url` and the secret
 * versions that sign for it now (two during a rotation's overlap), so the publisher derives the endpoint's
 * secrets from WEBHOOK_SIGNING_SECRET without a database.
 */
export const TaskChannel = Type.Object(
  {
    type: ChannelType,
    url: Type.Optional(ChannelUrl),
    endpoint_id: Type.Optional(EndpointId),
    secret_versions: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 1_000_000 }), { minItems: 1, maxItems: 2 })),
  },
  { ...strict, if: { properties: { type: { const: 'webhook' } } }, then: { required: ['url'] } },
);
export type TaskChannel = Static<typeof TaskChannel>;

export const Brief = Type.Object(
  {
    topic: Type.String({ minLength: 3, maxLength: 300 }),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tone: Tone,
    length: Length,
  },
  strict,
);
export type Brief = Static<typeof Brief>;

export const Source = Type.Object(
  {
    title: Type.String({ maxLength: 500 }),
    url: Type.String({ maxLength: 2048 }),
    snippet: Type.String({ maxLength: 2000 }),
    text: Type.String({ maxLength: 20000 }),
  },
  strict,
);
export type Source = Static<typeof Source>;

export const SourceRef = Type.Object({ title: Type.String(), url: Type.String() }, strict);

export const Article = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    summary: Type.String({ maxLength: 5000 }),
    body_markdown: Type.String({ minLength: 1, maxLength: 200000 }),
    sources: Type.Array(SourceRef, { maxItems: 50 }),
  },
  strict,
);
export type Article = Static<typeof Article>;

export const ResearchTask = Type.Object({ brief: Brief, channel: TaskChannel }, strict);
export type ResearchTask = Static<typeof ResearchTask>;

export const WriteTask = Type.Object({ brief: Brief, channel: TaskChannel, sources: Type.Array(Source, { maxItems: 20 }) }, strict);
export type WriteTask = Static<typeof WriteTask>;

export const PublishTask = Type.Object({ brief: Brief, channel: TaskChannel, article: Article }, strict);
export type PublishTask = Static<typeof PublishTask>;

export const TASK_PAYLOADS = { research: ResearchTask, write: WriteTask, publish: PublishTask } as const;
export interface TaskPayloads {
  research: ResearchTask;
  write: WriteTask;
  publish: PublishTask;
}

export const Envelope = Type.Object(
  {
    message_id: Type.String({ minLength: 1, maxLength: 100 }),
    request_id: Type.String({ format: 'uuid' }),
    user_id: Type.String({ format: 'uuid' }),
    stage: StringEnum(STAGES),
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    /**
     * Which run of its request this task belongs to: absent for the first, n for the run an operator's n-th replay
     * of a dead letter started. Stages copy it onto their events and the task they hand on, so the tracker can
     * tell a late event of an earlier run from the current run's.
     */
    run: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    enqueued_at: Type.String({ format: 'date-time' }),
    payload: Type.Object({}, { additionalProperties: true }),
  },
  strict,
);
export type Envelope<P = unknown> = Omit<Static<typeof Envelope>, 'payload'> & { payload: P };
