import { Type, type Static } from '@sinclair/typebox';
import { StageError } from './events.ts';
import { REQUEST_STATUSES, STAGES, STAGE_EVENT_TYPES } from './stages.ts';
import { StringEnum } from './string-enum.ts';

const strict = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time', maxLength: 40 });

/** `POST /v1/stream-tickets`: a ticket for one `EventSource` connection to one request's events. */
export const StreamTicketBody = Type.Object({ request_id: Type.String({ format: 'uuid', maxLength: 36 }) }, strict);
export type StreamTicketBody = Static<typeof StreamTicketBody>;

export const StreamTicketView = Type.Object(
  {
    ticket: Type.String({ minLength: 20, maxLength: 100, description: 'Single use; pass it as `?ticket=` within 60 s.' }),
    expires_at: Timestamp,
    events_url: Type.String({ maxLength: 300, description: 'The stream URL with the ticket in its query.' }),
  },
  strict,
);
export type StreamTicketView = Static<typeof StreamTicketView>;

/**
 * `GET /v1/requests/{id}/events`: `ticket` replaces the Authorization header for clients that cannot send one;
 * `last_event_id` the Last-Event-ID header for the same clients, resuming with a new ticket (a spent one is refused).
 */
export const RequestEventsQuery = Type.Object(
  {
    ticket: Type.Optional(Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' })),
    last_event_id: Type.Optional(Type.String({ pattern: '^\\d{1,9}$', maxLength: 9 })),
  },
  strict,
);
export type RequestEventsQuery = Static<typeof RequestEventsQuery>;

/** The `data:` of `event: request.<stage>.<type>`. A `started` with `synthesised: true` was inferred from a later event. */
export const StageEventData = Type.Object(
  {
    request_id: Type.String({ format: 'uuid', maxLength: 36 }),
    stage: StringEnum(STAGES),
    type: StringEnum(STAGE_EVENT_TYPES),
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    at: Timestamp,
    duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    retry_in_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    error: Type.Optional(StageError),
    published_url: Type.Optional(Type.String({ maxLength: 2048 })),
    synthesised: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type StageEventData = Static<typeof StageEventData>;

/** The `data:` of `event: request.status`: the request's status moved (the stream closes after a final one). */
export const StatusEventData = Type.Object(
  {
    request_id: Type.String({ format: 'uuid', maxLength: 36 }),
    status: StringEnum(REQUEST_STATUSES),
    previous_status: StringEnum(REQUEST_STATUSES),
    at: Timestamp,
    published_url: Type.Optional(Type.String({ maxLength: 2048 })),
    error: Type.Optional(Type.Object({ stage: StringEnum(STAGES), code: Type.String({ maxLength: 100 }), message: Type.String({ maxLength: 2000 }) }, strict)),
  },
  strict,
);
export type StatusEventData = Static<typeof StatusEventData>;
