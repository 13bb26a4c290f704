import { Type, type Static } from '@sinclair/typebox';
import { Channel, Length, Tone, SourceRef } from './payloads.ts';
import { REQUEST_STATUSES, STAGES, STAGE_STATUSES } from './stages.ts';
import { StageError } from './events.ts';

import { StringEnum as literals } from './string-enum.ts';

const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const PageLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 }));
const PageCursor = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 10, maxLength: 256 });
export const Uuid = Type.String({ format: 'uuid' });
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
    topic: Type.String({ minLength: 3, maxLength: 300, pattern: '\\S' }),
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

export const AdminListRequestsQuery = Type.Object({ status: Type.Optional(literals(REQUEST_STATUSES)), user_id: Type.Optional(Uuid), limit: PageLimit, cursor: PageCursor }, strict);
export type AdminListRequestsQuery = Static<typeof AdminListRequestsQuery>;
export const AdminListUsersQuery = Type.Object({ role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), limit: PageLimit, cursor: PageCursor }, strict);
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

export const UserView = Type.Object({ id: Uuid, email: Type.String(), role: Role }, strict);
export const TokenPair = Type.Object(
  { access_token: Type.String(), refresh_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer() },
  strict,
);
export const MeView = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    role: Role,
    quota: Type.Object({ daily_quota: Type.Integer(), used_today: Type.Integer(), resets_at: Type.String({ format: 'date-time' }) }, strict),
  },
  strict,
);

export const StageView = Type.Object(
  {
    stage: literals(STAGES),
    status: literals(STAGE_STATUSES),
    attempts: Type.Integer({ minimum: 0 }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
    duration_ms: Nullable(Type.Integer()),
    error: Nullable(StageError),
  },
  strict,
);

export const ResultView = Type.Object(
  { title: Type.String(), body_markdown: Type.String(), sources: Type.Array(SourceRef), published_url: Nullable(Type.String()) },
  strict,
);

export const RequestSummary = Type.Object(
  {
    id: Uuid,
    status: literals(REQUEST_STATUSES),
    topic: Type.String(),
    audience: Nullable(Type.String()),
    tone: Tone,
    length: Length,
    channel: Channel,
    trace_id: Nullable(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  strict,
);

export const RequestView = Type.Composite([RequestSummary, Type.Object({ stages: Type.Array(StageView), result: Nullable(ResultView) })], strict);

export const RequestPage = Type.Object({ items: Type.Array(RequestSummary), next_cursor: Nullable(Type.String()) }, strict);

export const AdminRequestSummary = Type.Composite([RequestSummary, Type.Object({ user_id: Uuid })], strict);
export const AdminRequestPage = Type.Object({ items: Type.Array(AdminRequestSummary), next_cursor: Nullable(Type.String()) }, strict);
export const AdminUserView = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    role: Role,
    daily_quota: Nullable(Type.Integer({ minimum: 0 })),
    disabled: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  strict,
);
export const AdminUserPage = Type.Object({ items: Type.Array(AdminUserView), next_cursor: Nullable(Type.String()) }, strict);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    trace_id: Nullable(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }, strict))),
  },
  strict,
);

export const StageParams = Type.Object({ stage: literals(STAGES) }, strict);
export type StageParams = Static<typeof StageParams>;
export const AdminDeadLettersQuery = Type.Object(
  { stage: Type.Optional(literals(STAGES)), request_id: Type.Optional(Uuid), include_replayed: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
  strict,
);
export type AdminDeadLettersQuery = Static<typeof AdminDeadLettersQuery>;
export const DeadLetterView = Type.Object(
  {
    id: Uuid,
    stage: literals(STAGES),
    request_id: Nullable(Uuid),
    reason: Type.String(),
    detail: Nullable(Type.String()),
    attempts: Type.Integer(),
    dead_at: Type.String({ format: 'date-time' }),
    replayed_at: Nullable(Type.String({ format: 'date-time' })),
  },
  strict,
);
export const DeadLetterPage = Type.Object({ items: Type.Array(DeadLetterView) }, strict);
export const ReplayResult = Type.Object({ replayed: Type.Integer({ minimum: 0 }), skipped: Type.Integer({ minimum: 0 }) }, strict);
export const BreakerView = Type.Object(
  { service: Type.String(), instance: Type.String(), name: Type.String(), state: literals(['closed', 'open', 'half_open'] as const), since: Type.String({ format: 'date-time' }) },
  strict,
);
export const BreakerList = Type.Object({ items: Type.Array(BreakerView) }, strict);
