import { Type, type TSchema } from '@sinclair/typebox';
import {
  AdminApiKeyPage,
  AdminAuditQuery,
  AuditPage,
  SessionList,
  AdminApiKeysQuery,
  AdminDeadLettersQuery,
  AdminListRequestsQuery,
  AdminListUsersQuery,
  AdminSpendPage,
  AdminSpendQuery,
  AdminRequestView,
  DeadLetterTargetParams,
  EmptyQuery,
  QueueList,
  AdminRequestPage,
  AdminUserPage,
  AdminUserPatchBody,
  AdminUserView,
  ApiKeyCreated,
  ApiKeyPage,
  ApiKeysQuery,
  ApiKeyView,
  BreakerList,
  ChangePasswordBody,
  CreateApiKeyBody,
  CreateRequestBody,
  CreateWebhookBody,
  DeadLetterPage,
  DeliveriesQuery,
  DeliveryPage,
  DeliveryView,
  EmptyBody,
  IdParams,
  ListRequestsQuery,
  LoginBody,
  MeView,
  PatchWebhookBody,
  RefreshBody,
  RegisterBody,
  RegisterView,
  ReplayResult,
  RequestEventsQuery,
  RequestPage,
  RequestView,
  RotateSecretBody,
  StreamTicketBody,
  StreamTicketView,
  SubmittedRequest,
  TokenPair,
  WebhookCreated,
  WebhookList,
  WebhookSecretRotated,
  WebhookView,
} from '@pressroom/contracts';

export type Access = 'public' | 'user' | 'admin';

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  tag: 'auth' | 'requests' | 'webhooks' | 'api-keys' | 'admin';
  summary: string;
  access: Access;
  /** An API key (`Bearer prs_…`) may call it, within the scope named. */
  apiKeyScope?: 'requests:read' | 'requests:write' | 'any';
  body?: TSchema;
  query?: TSchema;
  params?: TSchema;
  status: number;
  response?: TSchema;
  /** Problem statuses beyond those every operation of its kind can answer. */
  errors?: number[];
  location?: boolean;
  idempotencyKey?: boolean;
  /** The success body's media type when it is not JSON (`text/event-stream` for a stream of `response` events). */
  media?: string;
  /** A single-use stream ticket in `?ticket=` may stand in for the Authorization header. */
  streamTicket?: boolean;
}

/** Every operation the API serves, built from the same schemas that validate requests and type responses. */
export const OPERATIONS: Operation[] = [
  { id: 'register', method: 'post', path: '/v1/auth/register', tag: 'auth', summary: 'Create an account', access: 'public', body: RegisterBody, status: 201, response: RegisterView, errors: [409] },
  { id: 'login', method: 'post', path: '/v1/auth/login', tag: 'auth', summary: 'Log in', access: 'public', body: LoginBody, status: 200, response: TokenPair, errors: [401] },
  { id: 'refreshTokens', method: 'post', path: '/v1/auth/refresh', tag: 'auth', summary: 'Rotate a refresh token', access: 'public', body: RefreshBody, status: 200, response: TokenPair, errors: [401] },
  { id: 'logout', method: 'post', path: '/v1/auth/logout', tag: 'auth', summary: 'End this session', access: 'user', body: EmptyBody, status: 204 },
  { id: 'listSessions', method: 'get', path: '/v1/auth/sessions', tag: 'auth', summary: "The caller's live sessions; current marks this one", access: 'user', status: 200, response: SessionList },
  { id: 'revokeSession', method: 'delete', path: '/v1/auth/sessions/{id}', tag: 'auth', summary: 'End one of own sessions', access: 'user', params: IdParams, status: 204, errors: [404] },
  { id: 'changePassword', method: 'post', path: '/v1/auth/password', tag: 'auth', summary: 'Change the password; ends every other session', access: 'user', body: ChangePasswordBody, status: 204 },
  { id: 'getMe', method: 'get', path: '/v1/me', tag: 'auth', summary: 'The caller, their quota and their LLM spend', access: 'user', apiKeyScope: 'any', status: 200, response: MeView },
  {
    id: 'submitRequest',
    method: 'post',
    path: '/v1/requests',
    tag: 'requests',
    summary: 'Submit a content request',
    access: 'user',
    apiKeyScope: 'requests:write',
    body: CreateRequestBody,
    status: 202,
    response: SubmittedRequest,
    errors: [409, 503],
    location: true,
    idempotencyKey: true,
  },
  { id: 'listRequests', method: 'get', path: '/v1/requests', tag: 'requests', summary: 'List own content requests, newest first', access: 'user', apiKeyScope: 'requests:read', query: ListRequestsQuery, status: 200, response: RequestPage },
  { id: 'getRequest', method: 'get', path: '/v1/requests/{id}', tag: 'requests', summary: 'One content request with its stage timeline', access: 'user', apiKeyScope: 'requests:read', params: IdParams, status: 200, response: RequestView, errors: [404] },
  {
    id: 'followRequestEvents',
    method: 'get',
    path: '/v1/requests/{id}/events',
    tag: 'requests',
    summary: "Server-Sent Events: the request's stage events and status changes, resumable with Last-Event-ID",
    access: 'user',
    apiKeyScope: 'requests:read',
    streamTicket: true,
    params: IdParams,
    query: RequestEventsQuery,
    status: 200,
    media: 'text/event-stream',
    response: Type.String({ maxLength: 10_000_000, description: 'event: request.<stage>.<type> (data: StageEventData) or request.status (data: StatusEventData); id: the per-request sequence' }),
    errors: [404],
  },
  { id: 'createStreamTicket', method: 'post', path: '/v1/stream-tickets', tag: 'requests', summary: 'A single-use ticket (60 s) for one EventSource connection', access: 'user', apiKeyScope: 'requests:read', body: StreamTicketBody, status: 201, response: StreamTicketView, errors: [404, 503] },
  { id: 'cancelRequest', method: 'post', path: '/v1/requests/{id}/cancel', tag: 'requests', summary: 'Cancel at the next stage boundary', access: 'user', apiKeyScope: 'requests:write', params: IdParams, status: 202, response: RequestView, errors: [404, 409, 503] },
  { id: 'createWebhook', method: 'post', path: '/v1/webhooks', tag: 'webhooks', summary: 'Register a webhook endpoint; its secret is shown once', access: 'user', body: CreateWebhookBody, status: 201, response: WebhookCreated, errors: [409, 503], location: true },
  { id: 'listWebhooks', method: 'get', path: '/v1/webhooks', tag: 'webhooks', summary: 'Own webhook endpoints, newest first', access: 'user', status: 200, response: WebhookList },
  { id: 'getWebhook', method: 'get', path: '/v1/webhooks/{id}', tag: 'webhooks', summary: 'One webhook endpoint (why it was disabled, if it was)', access: 'user', params: IdParams, status: 200, response: WebhookView, errors: [404] },
  { id: 'updateWebhook', method: 'patch', path: '/v1/webhooks/{id}', tag: 'webhooks', summary: 'Change url, events or enabled', access: 'user', params: IdParams, body: PatchWebhookBody, status: 200, response: WebhookView, errors: [404] },
  { id: 'deleteWebhook', method: 'delete', path: '/v1/webhooks/{id}', tag: 'webhooks', summary: 'Remove a webhook endpoint and its delivery log', access: 'user', params: IdParams, status: 204, errors: [404] },
  { id: 'testWebhook', method: 'post', path: '/v1/webhooks/{id}/test', tag: 'webhooks', summary: 'Queue a signed webhook.test delivery', access: 'user', params: IdParams, body: EmptyBody, status: 202, response: DeliveryView, errors: [404, 409, 503] },
  { id: 'listWebhookDeliveries', method: 'get', path: '/v1/webhooks/{id}/deliveries', tag: 'webhooks', summary: "The endpoint's delivery log, newest first", access: 'user', params: IdParams, query: DeliveriesQuery, status: 200, response: DeliveryPage, errors: [404] },
  { id: 'rotateWebhookSecret', method: 'post', path: '/v1/webhooks/{id}/rotate-secret', tag: 'webhooks', summary: 'New secret; the old one also signs during the overlap', access: 'user', params: IdParams, body: RotateSecretBody, status: 200, response: WebhookSecretRotated, errors: [404, 503] },
  { id: 'createApiKey', method: 'post', path: '/v1/api-keys', tag: 'api-keys', summary: 'Create an API key; the key is shown once', access: 'user', body: CreateApiKeyBody, status: 201, response: ApiKeyCreated, errors: [409], location: true },
  { id: 'listApiKeys', method: 'get', path: '/v1/api-keys', tag: 'api-keys', summary: 'Own API keys, newest first', access: 'user', query: ApiKeysQuery, status: 200, response: ApiKeyPage },
  { id: 'getApiKey', method: 'get', path: '/v1/api-keys/{id}', tag: 'api-keys', summary: 'One API key', access: 'user', params: IdParams, status: 200, response: ApiKeyView, errors: [404] },
  { id: 'revokeApiKey', method: 'delete', path: '/v1/api-keys/{id}', tag: 'api-keys', summary: 'Revoke an API key', access: 'user', params: IdParams, status: 204, errors: [404] },
  { id: 'adminListRequests', method: 'get', path: '/v1/admin/requests', tag: 'admin', summary: "Every user's content requests, newest first", access: 'admin', query: AdminListRequestsQuery, status: 200, response: AdminRequestPage },
  { id: 'adminGetRequest', method: 'get', path: '/v1/admin/requests/{id}', tag: 'admin', summary: "Any user's content request with its owner, event log, dead letters and trace link", access: 'admin', params: IdParams, query: EmptyQuery, status: 200, response: AdminRequestView, errors: [404] },
  { id: 'adminListUsers', method: 'get', path: '/v1/admin/users', tag: 'admin', summary: 'Users, newest first', access: 'admin', query: AdminListUsersQuery, status: 200, response: AdminUserPage },
  { id: 'adminUpdateUser', method: 'patch', path: '/v1/admin/users/{id}', tag: 'admin', summary: 'Change role, quota override or disabled flag', access: 'admin', params: IdParams, body: AdminUserPatchBody, status: 200, response: AdminUserView, errors: [404] },
  { id: 'adminListDeadLetters', method: 'get', path: '/v1/admin/dead-letters', tag: 'admin', summary: 'Dead-lettered tasks with their reason', access: 'admin', query: AdminDeadLettersQuery, status: 200, response: DeadLetterPage },
  {
    id: 'adminReplayDeadLetters',
    method: 'post',
    path: '/v1/admin/dead-letters/{target}/replay',
    tag: 'admin',
    summary: "Re-queue dead letters as fresh tasks: all of a stage's waiting ones (target a stage), or one (target its id)",
    access: 'admin',
    params: DeadLetterTargetParams,
    body: EmptyBody,
    status: 200,
    response: ReplayResult,
    errors: [404, 409],
  },
  { id: 'adminListQueues', method: 'get', path: '/v1/admin/queues', tag: 'admin', summary: "Each stage's backlog: ready and delayed tasks, waiting requests and the oldest one's age, dead letters", access: 'admin', query: EmptyQuery, status: 200, response: QueueList },
  { id: 'adminSpendByUser', method: 'get', path: '/v1/admin/spend', tag: 'admin', summary: 'LLM spend per user over a range of UTC days (this month by default), highest first', access: 'admin', query: AdminSpendQuery, status: 200, response: AdminSpendPage },
  { id: 'adminListAudit', method: 'get', path: '/v1/admin/audit', tag: 'admin', summary: 'Admin actions (role, quota and disable changes, key revocations, replays), newest first', access: 'admin', query: AdminAuditQuery, status: 200, response: AuditPage },
  { id: 'adminListBreakers', method: 'get', path: '/v1/admin/breakers', tag: 'admin', summary: 'Circuit breakers of every worker replica', access: 'admin', status: 200, response: BreakerList },
  { id: 'adminListApiKeys', method: 'get', path: '/v1/admin/api-keys', tag: 'admin', summary: "Every user's API keys, newest first", access: 'admin', query: AdminApiKeysQuery, status: 200, response: AdminApiKeyPage },
  { id: 'adminRevokeApiKey', method: 'delete', path: '/v1/admin/api-keys/{id}', tag: 'admin', summary: "Revoke any user's API key", access: 'admin', params: IdParams, status: 204, errors: [404] },
];
