import { Type, type Static } from '@sinclair/typebox';
import { DeadLetterView, RequestView, Uuid } from './http.ts';
import { STAGES } from './stages.ts';
import { StageEventData, StatusEventData } from './streams.ts';
import { StringEnum } from './string-enum.ts';

const strict = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });

/** One entry of a request's event log, as its event stream sent (or would send) it. */
export const RequestEventView = Type.Object(
  { seq: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), event: Type.String({ maxLength: 100 }), data: Type.Union([StageEventData, StatusEventData]) },
  strict,
);

/**
 * `GET /v1/admin/requests/{id}`: the request as its owner sees it, plus who owns it, every stage event (each
 * attempt, retry and failure with its time), its dead letters (with the operator-only detail) and, when
 * JAEGER_UI_URL is set, a link to its trace.
 */
export const AdminRequestView = Type.Composite(
  [
    RequestView,
    Type.Object({
      user_id: Uuid,
      user_email: Type.String({ maxLength: 254 }),
      events: Type.Array(RequestEventView, { maxItems: 1000 }),
      dead_letters: Type.Array(DeadLetterView, { maxItems: 100 }),
      trace_url: Type.Union([Type.String({ maxLength: 2200 }), Type.Null()]),
    }),
  ],
  strict,
);
export type AdminRequestView = Static<typeof AdminRequestView>;

/** `{target}` is a stage (replay all its waiting dead letters) or one dead letter's id. */
export const DeadLetterTargetParams = Type.Object({ target: Type.Union([StringEnum(STAGES), Uuid]) }, strict);
export type DeadLetterTargetParams = Static<typeof DeadLetterTargetParams>;

/**
 * One stage's backlog. `ready` and `delayed` are the broker's ready messages in the work queue and in its
 * backoff queues (`null` while the broker is unreachable); `waiting` and `oldest_waiting_s` come from the
 * gateway's own state (requests whose task for this stage is queued and not started); `dead_letters` counts
 * the stage's dead letters not yet replayed.
 */
export const QueueView = Type.Object(
  {
    stage: StringEnum(STAGES),
    ready: Type.Union([Count, Type.Null()]),
    delayed: Type.Union([Count, Type.Null()]),
    waiting: Count,
    oldest_waiting_s: Type.Number({ minimum: 0, maximum: 1e9 }),
    dead_letters: Count,
  },
  strict,
);
export const QueueList = Type.Object({ items: Type.Array(QueueView, { maxItems: 3 }) }, strict);
export type QueueList = Static<typeof QueueList>;
