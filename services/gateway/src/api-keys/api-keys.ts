import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { API_KEY_SCOPES, AppError, type ApiKeyScope, type ApiKeyCreated, type ApiKeyView, type CreateApiKeyBody } from '@pressroom/contracts';
import type { Db } from '../db/pool.ts';
import { decodeCursor, toPage } from '../requests/cursor.ts';
import {
  countLiveApiKeys,
  findApiKeyState,
  findApiKeyStateById,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  type ApiKeyRow,
  type ApiKeyState,
} from './api-key-repository.ts';

/** `prs_` and 32 random bytes in base64url (43 characters). The first 12 characters name the key; the rest is secret. */
const API_KEY_PATTERN = /^prs_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 12;
const MAX_LIVE_KEYS_PER_USER = 50;

const hashApiKey = (key: string): Buffer => createHash('sha256').update(key).digest();

export function toApiKeyView(k: ApiKeyRow): Static<typeof ApiKeyView> {
  return { id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, expires_at: k.expires_at, revoked_at: k.revoked_at, created_at: k.created_at };
}

export async function createApiKey(db: Db, userId: string, body: CreateApiKeyBody): Promise<Static<typeof ApiKeyCreated>> {
  if (body.expires_at && Date.parse(body.expires_at) <= Date.now())
    throw new AppError('validation_failed', 'expires_at must be in the future', { errors: [{ field: 'expires_at', message: 'must be in the future' }] });
  if ((await countLiveApiKeys(db, userId)) >= MAX_LIVE_KEYS_PER_USER)
    throw new AppError('conflict', `a user may hold at most ${MAX_LIVE_KEYS_PER_USER} live API keys; revoke one first`);
  const key = `prs_${randomBytes(32).toString('base64url')}`;
  const row = await insertApiKey(db, {
    id: randomUUID(),
    user_id: userId,
    name: body.name.trim(),
    prefix: key.slice(0, PREFIX_LENGTH),
    hash: hashApiKey(key),
    scopes: body.scopes ?? [...API_KEY_SCOPES],
    expires_at: body.expires_at ?? null,
  });
  return { ...toApiKeyView(row), key };
}

export async function listApiKeyPage(db: Db, f: { userId: string; limit?: number | undefined; cursor?: string | undefined }) {
  const limit = f.limit ?? 20;
  const rows = await listApiKeys(db, { userId: f.userId, before: f.cursor ? decodeCursor(f.cursor) : undefined, limit: limit + 1 });
  return toPage(rows, limit, toApiKeyView);
}

/** Admins: every user's keys, or one user's, each naming its owner. */
export async function listAllApiKeyPage(db: Db, f: { userId?: string | undefined; limit?: number | undefined; cursor?: string | undefined }) {
  const limit = f.limit ?? 20;
  const rows = await listApiKeys(db, { userId: f.userId, before: f.cursor ? decodeCursor(f.cursor) : undefined, limit: limit + 1 });
  return toPage(rows, limit, (k) => ({ ...toApiKeyView(k), user_id: k.user_id }));
}

export async function revokeKey(db: Db, id: string, userId: string | undefined): Promise<void> {
  if (!(await revokeApiKey(db, id, userId))) throw new AppError('not_found', 'no such API key');
}

export interface ApiKeyPrincipal {
  userId: string;
  role: 'user' | 'admin';
  apiKey: { id: string; prefix: string; scopes: ApiKeyScope[] };
}

const invalidKey = (why: string) => new AppError('unauthorized', why, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });

/**
 * One lookup by the key's hash, joined with its owner: revocation, expiry and the owner's disabling are read
 * from PostgreSQL on every call, so they hold on the next request on every replica (like sessions).
 */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiKeyPrincipal> {
  if (!API_KEY_PATTERN.test(key)) throw invalidKey('the API key is not valid');
  const state = await findApiKeyState(db, hashApiKey(key));
  if (!state) throw invalidKey('the API key is not valid');
  const refused = refusalOf(state);
  if (refused) throw invalidKey(refused);
  return { userId: state.user_id, role: state.role, apiKey: { id: state.id, prefix: state.prefix, scopes: state.scopes } };
}

/** Why a key lets no call through any more, or undefined when it still does. */
function refusalOf(state: ApiKeyState): string | undefined {
  if (state.revoked_at) return 'the API key was revoked';
  if (state.expires_at && Date.parse(state.expires_at) <= Date.now()) return 'the API key has expired';
  if (state.disabled) return 'the account is disabled';
  return undefined;
}

/** Whether a key still lets calls through (a stream it opened asks on each heartbeat). */
export async function apiKeyHolds(db: Db, id: string): Promise<boolean> {
  const state = await findApiKeyStateById(db, id);
  return state !== undefined && refusalOf(state) === undefined;
}

/**
 * What an API key may call: the content-request API within its scopes, and `GET /v1/me`. Everything else
 * (sessions, passwords, API keys, webhooks, admin) needs a user's session, so a leaked key cannot mint
 * keys, redirect callbacks or act as an admin.
 */
function scopeNeeded(method: string, path: string): ApiKeyScope | 'any' | undefined {
  const p = path.toLowerCase().replace(/\/+$/, '');
  const read = method === 'GET' || method === 'HEAD';
  if (p === '/v1/me') return read ? 'any' : undefined;
  if (p === '/v1/stream-tickets') return method === 'POST' ? 'requests:read' : undefined;
  if (p === '/v1/requests' || p.startsWith('/v1/requests/')) return read ? 'requests:read' : 'requests:write';
  return undefined;
}

export function assertKeyAllows(principal: ApiKeyPrincipal, method: string, path: string): void {
  const needed = scopeNeeded(method, path);
  if (needed === 'any') return;
  if (!needed) throw new AppError('forbidden', 'API keys cannot be used on this route; sign in as the user');
  if (!principal.apiKey.scopes.includes(needed))
    throw new AppError('forbidden', `this API key lacks the ${needed} scope`, {
      headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed}"` },
    });
}
