import type { TSchema } from '@sinclair/typebox';
import * as contracts from '@pressroom/contracts';
import { OPERATIONS, type Operation } from './openapi-operations.ts';

/**
 * The OpenAPI 3.1 document, built from the TypeBox schemas that validate requests and type responses. Every
 * exported object schema of `@pressroom/contracts` becomes a named component, and wherever an operation's
 * schema (or a component's part) is structurally equal to one, it is replaced by a `$ref`, so the document
 * cannot drift from what the code validates.
 */
const COMPONENT_NAMES = [
  'Problem',
  'UserView',
  'RegisterView',
  'TokenPair',
  'MeView',
  'Channel',
  'StageError',
  'RequestError',
  'StageView',
  'ResultView',
  'RequestSummary',
  'SubmittedRequest',
  'RequestView',
  'RequestPage',
  'AdminRequestSummary',
  'AdminRequestPage',
  'AdminUserView',
  'AdminUserPage',
  'DeadLetterView',
  'DeadLetterPage',
  'ReplayResult',
  'BreakerView',
  'BreakerList',
  'RegisterBody',
  'LoginBody',
  'RefreshBody',
  'ChangePasswordBody',
  'CreateRequestBody',
  'AdminUserPatchBody',
  'EmptyBody',
  'CreateWebhookBody',
  'PatchWebhookBody',
  'RotateSecretBody',
  'WebhookView',
  'WebhookCreated',
  'WebhookList',
  'WebhookSecretRotated',
  'DeliveryView',
  'DeliveryPage',
  'CreateApiKeyBody',
  'ApiKeyView',
  'ApiKeyCreated',
  'ApiKeyPage',
  'AdminApiKeyView',
  'AdminApiKeyPage',
  'StreamTicketBody',
  'StreamTicketView',
  'StageEventData',
  'StatusEventData',
  'RequestEventView',
  'AdminRequestView',
  'QueueView',
  'QueueList',
  'LlmUsage',
  'SpendView',
  'UserSpendView',
  'AdminSpendPage',
] as const;

type Json = Record<string, unknown>;

/** TypeBox marks schemas with symbol keys, which JSON drops; integers also say their width (OWASP API4). */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && (v as Json)['type'] === 'integer' && !(v as Json)['format']) {
      const max = (v as Json)['maximum'];
      return { ...(v as Json), format: typeof max === 'number' && max <= 2_147_483_647 ? 'int32' : 'int64' };
    }
    return v;
  }) as unknown;
}

function componentIndex(): { schemas: Record<string, unknown>; refFor: Map<string, string> } {
  const all = contracts as unknown as Record<string, TSchema>;
  const refFor = new Map<string, string>();
  const raw: Record<string, unknown> = {};
  for (const name of COMPONENT_NAMES) {
    const schema = plain(all[name]);
    raw[name] = schema;
    refFor.set(JSON.stringify(schema), `#/components/schemas/${name}`);
  }
  const schemas: Record<string, unknown> = {};
  for (const name of COMPONENT_NAMES) schemas[name] = refsInside(raw[name], refFor);
  return { schemas, refFor };
}

function refsInside(node: unknown, refFor: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => withRefs(n, refFor));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withRefs(v, refFor)]));
}

function withRefs(node: unknown, refFor: Map<string, string>): unknown {
  const ref = node && typeof node === 'object' ? refFor.get(JSON.stringify(node)) : undefined;
  return ref ? { $ref: ref } : refsInside(node, refFor);
}

const header = (description: string, schema: Json) => ({ description, schema });
const HEADERS = {
  'X-Request-Id': header("This HTTP call's id (echoed from the request when it is a sane token).", { type: 'string', maxLength: 128 }),
  RateLimit: header('IETF draft-8 RateLimit: the remaining quota of each budget this call counts against.', { type: 'string', maxLength: 500 }),
  'RateLimit-Policy': header('IETF draft-8 RateLimit-Policy: every budget this call counts against.', { type: 'string', maxLength: 500 }),
  'Retry-After': header('Seconds to wait before retrying.', { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400 }),
  Location: header('The URL of the created resource.', { type: 'string', maxLength: 300 }),
  'Idempotent-Replayed': header('`true` when this answer replays an earlier submission with the same Idempotency-Key.', { type: 'string', enum: ['true'] }),
  'Access-Control-Allow-Origin': header('Sent when the request came from an origin in CORS_ORIGINS.', { type: 'string', maxLength: 300 }),
  'WWW-Authenticate': header('RFC 6750 challenge (`invalid_token`, `insufficient_scope`).', { type: 'string', maxLength: 200 }),
};
const h = (name: keyof typeof HEADERS) => ({ [name]: { $ref: `#/components/headers/${name}` } });
const COMMON_HEADERS = { ...h('X-Request-Id'), ...h('RateLimit'), ...h('RateLimit-Policy'), ...h('Access-Control-Allow-Origin') };

const PROBLEMS: Record<number, { name: string; description: string; extra?: Json }> = {
  400: { name: 'BadRequest', description: 'validation_failed: the body, query or path is invalid (`errors` names each field)' },
  401: { name: 'Unauthorized', description: 'unauthorized: no, an invalid, expired or revoked credential', extra: h('WWW-Authenticate') },
  403: { name: 'Forbidden', description: 'forbidden: the role or the API key scope does not allow this', extra: h('WWW-Authenticate') },
  404: { name: 'NotFound', description: 'not_found: no such resource for this caller' },
  409: { name: 'Conflict', description: 'conflict: the resource is in a state that does not allow this' },
  413: { name: 'PayloadTooLarge', description: 'payload_too_large: the body is over the limit' },
  415: { name: 'UnsupportedMediaType', description: 'unsupported_media_type: the body is not JSON' },
  429: { name: 'TooManyRequests', description: 'rate_limited or quota_exceeded', extra: h('Retry-After') },
  500: { name: 'Internal', description: 'internal: an unexpected failure (no internals leak)' },
  503: {
    name: 'Unavailable',
    description: 'unavailable: PostgreSQL, Redis or RabbitMQ did not answer, the service is shedding load, or a feature is not configured',
    extra: h('Retry-After'),
  },
};

/**
 * The stream's events: `data:` is a StageEventData for `event: request.<stage>.<type>` and a StatusEventData for
 * `event: request.status` (OpenAPI 3.1 has no item schema for streams; JSON Schema's contentSchema says it).
 */
const SSE_DATA = {
  examples: {
    events: {
      summary: 'One event',
      value: 'id: 1\nevent: request.research.started\ndata: {"request_id":"…","stage":"research","type":"started","attempt":1,"at":"…"}\n\n',
    },
  },
};
const SSE_SCHEMA = {
  contentMediaType: 'text/event-stream',
  contentSchema: { oneOf: [{ $ref: '#/components/schemas/StageEventData' }, { $ref: '#/components/schemas/StatusEventData' }] },
};

function problemResponses() {
  return Object.fromEntries(
    Object.values(PROBLEMS).map((p) => [
      p.name,
      {
        description: p.description,
        headers: { ...COMMON_HEADERS, ...p.extra },
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

function parameters(schema: TSchema | undefined, where: 'query' | 'path', refFor: Map<string, string>) {
  if (!schema) return [];
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: withRefs(plain(s), refFor) }));
}

function errorStatuses(op: Operation): number[] {
  // 503 anywhere: every operation reads PostgreSQL (or Redis), and one that does not answer is a 503.
  const statuses = new Set([400, 429, 500, 503, ...(op.errors ?? [])]);
  if (op.access !== 'public') statuses.add(401);
  // An admin route refuses other roles; a user route refuses an API key (`any` scope aside) or one without its scope.
  if (op.access !== 'public' && op.apiKeyScope !== 'any') statuses.add(403);
  if (op.body) [413, 415].forEach((s) => statuses.add(s));
  return [...statuses].sort();
}

function security(op: Operation) {
  if (op.access === 'public') return [];
  if (op.access === 'admin') return [{ adminBearer: [] }];
  const alternatives = op.apiKeyScope ? [{ bearer: [] }, { apiKey: [] }] : [{ bearer: [] }];
  return op.streamTicket ? [...alternatives, { streamTicket: [] }] : alternatives;
}

const ACCESS_TEXT: Record<Operation['access'], string> = {
  public: 'No credential needed.',
  user: 'Needs a user access token.',
  admin: 'Needs an access token of a user with the admin role.',
};

function describe(op: Operation): string {
  const key = op.apiKeyScope ? (op.apiKeyScope === 'any' ? ' An API key of any scope may call it.' : ` An API key needs the \`${op.apiKeyScope}\` scope.`) : '';
  return `${op.summary}. ${ACCESS_TEXT[op.access]}${key}`;
}

function operation(op: Operation, refFor: Map<string, string>) {
  const ok = {
    description: op.response ? 'OK' : 'No content',
    headers: { ...COMMON_HEADERS, ...(op.location ? h('Location') : {}), ...(op.idempotencyKey ? h('Idempotent-Replayed') : {}) },
    ...(op.response
      ? {
          content: {
            [op.media ?? 'application/json']:
              op.media === 'text/event-stream'
                ? { schema: { ...(withRefs(plain(op.response), refFor) as Json), ...SSE_SCHEMA }, ...SSE_DATA }
                : { schema: withRefs(plain(op.response), refFor) },
          },
        }
      : {}),
  };
  const lastEventId =
    op.media === 'text/event-stream'
      ? [
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'Resume after this event id (EventSource sends it on reconnect).',
            schema: { type: 'string', pattern: '^[0-9]{1,9}$', maxLength: 9 },
          },
        ]
      : [];
  const idempotency = op.idempotencyKey
    ? [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Per user, kept 24 h: a retry returns the first request; another body with it is 409.',
          schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]{1,200}$' },
        },
      ]
    : [];
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    description: describe(op),
    security: security(op),
    parameters: [...parameters(op.params, 'path', refFor), ...parameters(op.query, 'query', refFor), ...idempotency, ...lastEventId],
    ...(op.body
      ? { requestBody: { required: op.body !== contracts.EmptyBody, content: { 'application/json': { schema: withRefs(plain(op.body), refFor) } } } }
      : {}),
    responses: { [op.status]: ok, ...Object.fromEntries(errorStatuses(op).map((s) => [String(s), { $ref: `#/components/responses/${PROBLEMS[s]!.name}` }])) },
  };
}

export function openApiDocument(operations: readonly Operation[] = OPERATIONS) {
  const { schemas, refFor } = componentIndex();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operation(op, refFor);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pressroom API',
      version: '1.1.0',
      description: 'Submit a topic; Pressroom researches it, writes a cited article and publishes it.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      contact: { name: 'Pressroom operators' },
    },
    servers: [
      {
        url: 'https://{host}',
        description: "production: the operator's gateway",
        'x-internal': false,
        variables: { host: { default: 'api.pressroom.internal', description: "The gateway's public host name" } },
      },
    ],
    tags: [
      { name: 'auth', description: 'Accounts, sessions and tokens' },
      { name: 'requests', description: 'Content requests and their progress' },
      { name: 'webhooks', description: 'Completion callbacks (Standard Webhooks)' },
      { name: 'api-keys', description: 'Machine credentials' },
      { name: 'admin', description: 'Operators (role admin)' },
    ],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token from /v1/auth/login (HS256 or RS256 pinned, iss/aud checked, short-lived), handled per RFC8725 (JWT Best Current Practices).',
        },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'prs_ API key',
          description: 'An API key (`Bearer prs_…`): acts as its owner within its scopes.',
        },
        streamTicket: {
          type: 'apiKey',
          in: 'query',
          name: 'ticket',
          description: 'A single-use stream ticket from POST /v1/stream-tickets (valid 60 s, one connection), for EventSource, which cannot send headers.',
        },
        adminBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token of a user with the admin role, handled per RFC8725 (JWT Best Current Practices); API keys are never admin credentials.',
        },
      },
      headers: HEADERS,
      responses: problemResponses(),
      schemas,
    },
    paths,
  };
}
