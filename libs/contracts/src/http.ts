import { Type, type Static } from '@sinclair/typebox';
import { Channel, Length, Tone } from './payloads.ts';
import { REQUEST_STATUSES, STAGES, STAGE_STATUSES } from './stages.ts';
import { LlmUsage, StageError } from './events.ts';
import { SpendView } from './http-usage.ts';

import { StringEnum as literals } from './string-enum.ts';
import { THREE_WHEN_TRIMMED } from './text-patterns.ts';

const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const PageLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 }));
const PageCursor = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 10, maxLength: 256 });
export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
export const Role = literals(['user', 'admin'] as const);

export const RegisterBody = Type.Object({ email: Email, password: Password }, strict);
export type RegisterBody = Static<typeof RegisterBody>;
export const LoginBody = Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) }, strict);
export type LoginBody = Static<typeof LoginBody>;
export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 20, maxLength: 200 }) }, strict);
export type RefreshBody = Static<typeof RefreshBody>;
export const EmptyBody = Type.Object({}, strict);
/** Routes that take no query parameters still validate the query string, so `?anything=1` is a 400, never ignored. */
export const EmptyQuery = Type.Object({}, strict);
export const ChangePasswordBody = Type.Object({ current_password: Type.String({ minLength: 1, maxLength: 256 }), new_password: Password }, strict);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const CreateRequestBody = Type.Object(
  {
    // Stored trimmed (submit-request.ts), so the 3 characters are counted without the white space around them.
    topic: Type.String({ minLength: 3, maxLength: 300, pattern: THREE_WHEN_TRIMMED }),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tone: Type.Optional(Tone),
    length: Type.Optional(Length),
    channel: Type.Optional(Channel),
  },
  strict,
);
export type CreateRequestBody = Static<typeof CreateRequestBody>;

export const ListRequestsQuery = Type.Object(
  {
    status: Type.Optional(literals(REQUEST_STATUSES)),
    limit: PageLimit,
    cursor: PageCursor,
  },
  strict,
);
export type ListRequestsQuery = Static<typeof ListRequestsQuery>;

/** `created_after` (inclusive) and `created_before` (exclusive) bound the submission time; they combine with the cursor. */
export const AdminListRequestsQuery = Type.Object(
  {
    status: Type.Optional(literals(REQUEST_STATUSES)),
    user_id: Type.Optional(Uuid),
    /** The owner by e-mail (case-insensitive), as an operator knows them; with `user_id` too, both must match. */
    user_email: Type.Optional(Email),
    created_after: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    created_before: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    limit: PageLimit,
    cursor: PageCursor,
  },
  strict,
);
export type AdminListRequestsQuery = Static<typeof AdminListRequestsQuery>;
export const AdminListUsersQuery = Type.Object(
  { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), limit: PageLimit, cursor: PageCursor },
  strict,
);
export type AdminListUsersQuery = Static<typeof AdminListUsersQuery>;

/** `daily_quota: null` puts the user back on DAILY_REQUEST_QUOTA. An empty patch is a 400, not a silent no-op. */
export const AdminUserPatchBody = Type.Object(
  {
    role: Type.Optional(Role),
    daily_quota: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }))),
    disabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);
export type AdminUserPatchBody = Static<typeof AdminUserPatchBody>;

export const IdParams = Type.Object({ id: Uuid }, strict);
export type IdParams = Static<typeof IdParams>;

// Response views carry bounds too: the OpenAPI document states them and clients may size buffers by them.
const Text = (maxLength: number) => Type.String({ maxLength });
const Timestamp = Type.String({ format: 'date-time', maxLength: 40 });
const Count = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });

export const UserView = Type.Object({ id: Uuid, email: Email, role: Role }, strict);
export const RegisterView = Type.Object({ user: UserView }, strict);
export const TokenPair = Type.Object(
  { access_token: Text(4096), refresh_token: Text(200), token_type: Type.Literal('Bearer'), expires_in: Type.Integer({ minimum: 1, maximum: 86_400 }) },
  strict,
);
export const MeView = Type.Object(
  {
    id: Uuid,
    email: Email,
    role: Role,
    quota: Type.Object({ daily_quota: Count, used_today: Count, resets_at: Timestamp }, strict),
    spend: SpendView,
  },
  strict,
);

export const StageView = Type.Object(
  {
    stage: literals(STAGES),
    status: literals(STAGE_STATUSES),
    attempts: Type.Integer({ minimum: 0, maximum: 1000 }),
    started_at: Nullable(Timestamp),
    finished_at: Nullable(Timestamp),
    duration_ms: Nullable(Count),
    error: Nullable(StageError),
  },
  strict,
);

export const ResultView = Type.Object(
  {
    title: Text(500),
    summary: Text(5000),
    body_markdown: Text(200_000),
    sources: Type.Array(Type.Object({ title: Text(500), url: Text(2048) }, strict), { maxItems: 50 }),
    published_url: Nullable(Text(2048)),
  },
  strict,
);

export const RequestSummary = Type.Object(
  {
    id: Uuid,
    status: literals(REQUEST_STATUSES),
    topic: Text(300),
    audience: Nullable(Text(200)),
    tone: Tone,
    length: Length,
    channel: Channel,
    trace_id: Nullable(Text(64)),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  strict,
);

/** The 202 of a submission: an ad-hoc webhook channel's signing secret is shown here (and on an idempotent replay). */
export const SubmittedRequest = Type.Composite(
  [RequestSummary, Type.Object({ webhook_secret: Type.Optional(Type.String({ pattern: '^whsec_', maxLength: 50 })) })],
  strict,
);

/** Why a request failed: the failing stage's error, naming the stage. */
export const RequestError = Type.Object({ code: Text(100), message: Text(2000), stage: Type.Optional(literals(STAGES)) }, strict);

/** `error` is the request's failure (`null` unless `failed`), `result` the article once written, `usage` its LLM call's tokens and cost (then too). */
export const RequestView = Type.Composite(
  [
    RequestSummary,
    Type.Object({ error: Nullable(RequestError), stages: Type.Array(StageView, { maxItems: 3 }), result: Nullable(ResultView), usage: Nullable(LlmUsage) }),
  ],
  strict,
);

export const RequestPage = Type.Object({ items: Type.Array(RequestSummary, { maxItems: 100 }), next_cursor: Nullable(Text(200)) }, strict);

export const AdminRequestSummary = Type.Composite([RequestSummary, Type.Object({ user_id: Uuid })], strict);
export const AdminRequestPage = Type.Object({ items: Type.Array(AdminRequestSummary, { maxItems: 100 }), next_cursor: Nullable(Text(200)) }, strict);
export const AdminUserView = Type.Object(
  {
    id: Uuid,
    email: Email,
    role: Role,
    daily_quota: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    /** Content requests accepted today (the UTC quota day). */
    used_today: Count,
    disabled: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  strict,
);
export const AdminUserPage = Type.Object({ items: Type.Array(AdminUserView, { maxItems: 100 }), next_cursor: Nullable(Text(200)) }, strict);

export const Problem = Type.Object(
  {
    type: Text(200),
    title: Text(200),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Text(2000),
    code: Text(50),
    trace_id: Nullable(Text(64)),
    errors: Type.Optional(Type.Array(Type.Object({ field: Text(300), message: Text(500) }, strict), { maxItems: 100 })),
  },
  strict,
);

export const StageParams = Type.Object({ stage: literals(STAGES) }, strict);
export type StageParams = Static<typeof StageParams>;
export const AdminDeadLettersQuery = Type.Object(
  {
    stage: Type.Optional(literals(STAGES)),
    request_id: Type.Optional(Uuid),
    include_replayed: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  strict,
);
export type AdminDeadLettersQuery = Static<typeof AdminDeadLettersQuery>;
export const DeadLetterView = Type.Object(
  {
    id: Uuid,
    stage: literals(STAGES),
    request_id: Nullable(Uuid),
    reason: Text(200),
    detail: Nullable(Text(5000)),
    attempts: Type.Integer({ minimum: 0, maximum: 1000 }),
    dead_at: Timestamp,
    replayed_at: Nullable(Timestamp),
  },
  strict,
);
export const DeadLetterPage = Type.Object({ items: Type.Array(DeadLetterView, { maxItems: 500 }) }, strict);
export const ReplayResult = Type.Object({ replayed: Count, skipped: Count }, strict);
export const BreakerView = Type.Object(
  { service: Text(100), instance: Text(200), name: Text(200), state: literals(['closed', 'open', 'half_open'] as const), since: Timestamp },
  strict,
);
export const BreakerList = Type.Object({ items: Type.Array(BreakerView, { maxItems: 1000 }) }, strict);

/** One session family of the caller (a login, with every refresh since); `current` is the one the call came in on. */
export const SessionView = Type.Object({ id: Uuid, created_at: Timestamp, last_used_at: Timestamp, expires_at: Timestamp, current: Type.Boolean() }, strict);
export const SessionList = Type.Object({ items: Type.Array(SessionView, { maxItems: 1000 }) }, strict);

export const AUDIT_EVENTS = ['admin.user_updated', 'admin.dead_letters_replayed', 'admin.api_key_revoked'] as const;
export const AdminAuditQuery = Type.Object(
  { event: Type.Optional(literals(AUDIT_EVENTS)), actor_id: Type.Optional(Uuid), limit: PageLimit, cursor: PageCursor },
  strict,
);
export type AdminAuditQuery = Static<typeof AdminAuditQuery>;
/** An admin action: who (`actor_id`), on what (`target`), from where, under which HTTP request, and what changed. */
export const AuditEventView = Type.Object(
  {
    id: Uuid,
    event: literals(AUDIT_EVENTS),
    actor_id: Uuid,
    target: Nullable(Text(200)),
    client_ip: Nullable(Text(64)),
    request_id: Nullable(Text(128)),
    // What changed: the patched user fields, or the replayed stage and its counts.
    details: Type.Object(
      {
        role: Type.Optional(Role),
        daily_quota: Type.Optional(Nullable(Count)),
        disabled: Type.Optional(Type.Boolean()),
        stage: Type.Optional(literals(STAGES)),
        replayed: Type.Optional(Count),
        skipped: Type.Optional(Count),
      },
      strict,
    ),
    created_at: Timestamp,
  },
  strict,
);
export const AuditPage = Type.Object({ items: Type.Array(AuditEventView, { maxItems: 100 }), next_cursor: Nullable(Text(200)) }, strict);
