import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';
import { NOT_BLANK } from './text-patterns.ts';

/** Schemas of the machine-facing API (issue 13): webhook endpoints, their delivery log, and API keys. */
const strict = { additionalProperties: false } as const;
const Id = Type.String({ format: 'uuid', maxLength: 36 });
const Timestamp = Type.String({ format: 'date-time', maxLength: 40 });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const NullableText = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);
const PageLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 }));
const PageCursor = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));
const NextCursor = Type.Union([Type.String({ maxLength: 200 }), Type.Null()]);

export const WEBHOOK_EVENTS = ['request.published', 'request.failed', 'request.cancelled'] as const;
export const WebhookEventType = StringEnum(WEBHOOK_EVENTS);
export type WebhookEventType = Static<typeof WebhookEventType>;
const WebhookUrl = Type.String({ format: 'uri', minLength: 8, maxLength: 2048, pattern: '^https?://' });
const WebhookEvents = Type.Array(WebhookEventType, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true });
/** `whsec_` and the base64 of a 32-byte key (Standard Webhooks). */
export const WebhookSecret = Type.String({ pattern: '^whsec_[A-Za-z0-9+/]{43}=$', minLength: 50, maxLength: 50 });

export const CreateWebhookBody = Type.Object({ url: WebhookUrl, events: WebhookEvents }, strict);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;
/** `enabled: true` re-enables an endpoint that was disabled after failures, and resets its failure count. */
export const PatchWebhookBody = Type.Object(
  { url: Type.Optional(WebhookUrl), events: Type.Optional(WebhookEvents), enabled: Type.Optional(Type.Boolean()) },
  { ...strict, minProperties: 1 },
);
export type PatchWebhookBody = Static<typeof PatchWebhookBody>;

export const WebhookView = Type.Object(
  {
    id: Id,
    url: Type.String({ maxLength: 2048 }),
    events: WebhookEvents,
    enabled: Type.Boolean(),
    secret_version: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    previous_secret_valid_until: NullableTimestamp,
    consecutive_failures: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    disabled_reason: NullableText(500),
    disabled_at: NullableTimestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  strict,
);
export const WebhookCreated = Type.Composite([WebhookView, Type.Object({ secret: WebhookSecret })], strict);
export const WebhookList = Type.Object({ items: Type.Array(WebhookView, { maxItems: 100 }) }, strict);
export const RotateSecretBody = Type.Object({ overlap_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })) }, strict);
export type RotateSecretBody = Static<typeof RotateSecretBody>;
export const WebhookSecretRotated = Type.Object(
  { id: Id, secret: WebhookSecret, secret_version: Type.Integer({ minimum: 1, maximum: 1_000_000 }), previous_secret_valid_until: NullableTimestamp },
  strict,
);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const DeliveryView = Type.Object(
  {
    id: Id,
    event_type: StringEnum([...WEBHOOK_EVENTS, 'webhook.test'] as const),
    request_id: Type.Union([Id, Type.Null()]),
    status: StringEnum(DELIVERY_STATUSES),
    attempts: Type.Integer({ minimum: 0, maximum: 1000 }),
    next_attempt_at: NullableTimestamp,
    last_attempt_at: NullableTimestamp,
    last_status_code: Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Null()]),
    last_error: NullableText(500),
    delivered_at: NullableTimestamp,
    created_at: Timestamp,
  },
  strict,
);
export const DeliveryPage = Type.Object({ items: Type.Array(DeliveryView, { maxItems: 100 }), next_cursor: NextCursor }, strict);
export const DeliveriesQuery = Type.Object({ status: Type.Optional(StringEnum(DELIVERY_STATUSES)), limit: PageLimit, cursor: PageCursor }, strict);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

export const API_KEY_SCOPES = ['requests:write', 'requests:read'] as const;
export const ApiKeyScope = StringEnum(API_KEY_SCOPES);
export type ApiKeyScope = Static<typeof ApiKeyScope>;
const ApiKeyScopes = Type.Array(ApiKeyScope, { minItems: 1, maxItems: API_KEY_SCOPES.length, uniqueItems: true });

export const CreateApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK }), expires_at: Type.Optional(Timestamp), scopes: Type.Optional(ApiKeyScopes) },
  strict,
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;
export const ApiKeyView = Type.Object(
  {
    id: Id,
    name: Type.String({ maxLength: 100 }),
    prefix: Type.String({ pattern: '^prs_', minLength: 12, maxLength: 12 }),
    scopes: ApiKeyScopes,
    expires_at: NullableTimestamp,
    revoked_at: NullableTimestamp,
    created_at: Timestamp,
  },
  strict,
);
export const ApiKeyCreated = Type.Composite(
  [ApiKeyView, Type.Object({ key: Type.String({ pattern: '^prs_[A-Za-z0-9_-]{43}$', minLength: 47, maxLength: 47 }) })],
  strict,
);
export const ApiKeyPage = Type.Object({ items: Type.Array(ApiKeyView, { maxItems: 100 }), next_cursor: NextCursor }, strict);
export const AdminApiKeyView = Type.Composite([ApiKeyView, Type.Object({ user_id: Id })], strict);
export const AdminApiKeyPage = Type.Object({ items: Type.Array(AdminApiKeyView, { maxItems: 100 }), next_cursor: NextCursor }, strict);
export const ApiKeysQuery = Type.Object({ limit: PageLimit, cursor: PageCursor }, strict);
export type ApiKeysQuery = Static<typeof ApiKeysQuery>;
export const AdminApiKeysQuery = Type.Object({ user_id: Type.Optional(Id), limit: PageLimit, cursor: PageCursor }, strict);
export type AdminApiKeysQuery = Static<typeof AdminApiKeysQuery>;
