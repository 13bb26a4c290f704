import type { TSchema } from '@sinclair/typebox';
import {
  AdminDeadLettersQuery,
  BreakerList,
  DeadLetterPage,
  ReplayResult,
  StageParams,
  AdminListRequestsQuery,
  AdminListUsersQuery,
  AdminRequestPage,
  AdminUserPage,
  AdminUserPatchBody,
  AdminUserView,
  ChangePasswordBody,
  CreateRequestBody,
  EmptyBody,
  IdParams,
  ListRequestsQuery,
  LoginBody,
  MeView,
  Problem,
  RefreshBody,
  RegisterBody,
  RequestPage,
  RequestSummary,
  RequestView,
  TokenPair,
  UserView,
} from '@pressroom/contracts';
import { Type } from '@sinclair/typebox';

interface Operation {
  method: 'get' | 'post' | 'patch';
  path: string;
  summary: string;
  auth: boolean;
  admin?: boolean;
  body?: TSchema;
  query?: TSchema;
  params?: TSchema;
  status: number;
  response?: TSchema;
}

/** The documented operations, built from the same schemas that validate requests. */
export const OPERATIONS: Operation[] = [
  { method: 'post', path: '/v1/auth/register', summary: 'Create an account', auth: false, body: RegisterBody, status: 201, response: Type.Object({ user: UserView }) },
  { method: 'post', path: '/v1/auth/login', summary: 'Log in', auth: false, body: LoginBody, status: 200, response: TokenPair },
  { method: 'post', path: '/v1/auth/refresh', summary: 'Rotate a refresh token', auth: false, body: RefreshBody, status: 200, response: TokenPair },
  { method: 'post', path: '/v1/auth/logout', summary: 'End this session', auth: true, body: EmptyBody, status: 204 },
  { method: 'post', path: '/v1/auth/password', summary: 'Change the password; ends every other session', auth: true, body: ChangePasswordBody, status: 204 },
  { method: 'get', path: '/v1/me', summary: 'The caller and their quota', auth: true, status: 200, response: MeView },
  { method: 'post', path: '/v1/requests', summary: 'Submit a content request', auth: true, body: CreateRequestBody, status: 202, response: RequestSummary },
  { method: 'get', path: '/v1/requests', summary: 'List own content requests, newest first', auth: true, query: ListRequestsQuery, status: 200, response: RequestPage },
  { method: 'get', path: '/v1/requests/{id}', summary: 'One content request with its stage timeline', auth: true, params: IdParams, status: 200, response: RequestView },
  { method: 'get', path: '/v1/admin/requests', summary: "Every user's content requests, newest first", auth: true, admin: true, query: AdminListRequestsQuery, status: 200, response: AdminRequestPage },
  { method: 'get', path: '/v1/admin/users', summary: 'Users, newest first', auth: true, admin: true, query: AdminListUsersQuery, status: 200, response: AdminUserPage },
  { method: 'get', path: '/v1/admin/dead-letters', summary: 'Dead-lettered tasks with their reason', auth: true, admin: true, query: AdminDeadLettersQuery, status: 200, response: DeadLetterPage },
  { method: 'post', path: '/v1/admin/dead-letters/{stage}/replay', summary: "Re-queue a stage's dead letters as fresh tasks", auth: true, admin: true, params: StageParams, body: EmptyBody, status: 200, response: ReplayResult },
  { method: 'get', path: '/v1/admin/breakers', summary: 'Circuit breakers of every worker replica', auth: true, admin: true, status: 200, response: BreakerList },
  { method: 'patch', path: '/v1/admin/users/{id}', summary: 'Change role, quota override or disabled flag', auth: true, admin: true, params: IdParams, body: AdminUserPatchBody, status: 200, response: AdminUserView },
];

function parameters(schema: TSchema | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s }));
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const problem = { description: 'Problem', content: { 'application/problem+json': { schema: Problem } } };
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(op.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
      ...(op.body ? { requestBody: { required: op.method !== 'post' || op.body !== EmptyBody, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: {
        [op.status]: op.response ? { description: 'OK', content: { 'application/json': { schema: op.response } } } : { description: 'No content' },
        '400': problem,
        ...(op.auth ? { '401': problem } : {}),
        ...(op.admin ? { '403': problem } : {}),
        '429': problem,
        default: problem,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Pressroom API', version: '1.0.0', description: 'Submit a topic; Pressroom researches it, writes a cited article and publishes it.' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
