import { Router } from 'express';
import { recordAdminAction } from '../audit/audit-repository.ts';
import { clientOf, logSecurityEvent } from '../audit/security-events.ts';
import { AdminApiKeysQuery, ApiKeysQuery, AppError, CreateApiKeyBody, EmptyBody, EmptyQuery, IdParams } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { createApiKey, listAllApiKeyPage, listApiKeyPage, revokeKey, toApiKeyView } from './api-keys.ts';
import { findApiKey } from './api-key-repository.ts';

/** A user's own keys under /v1/api-keys; every user's under /v1/admin/api-keys (admins list and revoke any). */
export function apiKeyRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  router.post('/v1/api-keys', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const created = await createApiKey(deps.db, principalOf(req).userId, parseBody(CreateApiKeyBody, req.body));
    deps.logger.info({ api_key: created.prefix }, 'API key created');
    res.status(201).location(`/v1/api-keys/${created.id}`).set('Cache-Control', 'no-store').json(created);
  });
  router.get('/v1/api-keys', ...guards.user, async (req, res) => {
    const q = parseQuery(ApiKeysQuery, req.query);
    res.json(await listApiKeyPage(deps.db, { userId: principalOf(req).userId, ...q }));
  });
  router.get('/v1/api-keys/:id', ...guards.user, async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    const key = await findApiKey(deps.db, id, principalOf(req).userId);
    if (!key) throw new AppError('not_found', 'no such API key');
    res.json(toApiKeyView(key));
  });
  router.delete('/v1/api-keys/:id', ...guards.user, async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    await revokeKey(deps.db, id, principalOf(req).userId);
    logSecurityEvent(deps.logger, 'api_key.revoked', { ...clientOf(req), userId: principalOf(req).userId }, { api_key_id: id });
    res.status(204).end();
  });
  router.get('/v1/admin/api-keys', ...guards.admin, async (req, res) => {
    const q = parseQuery(AdminApiKeysQuery, req.query);
    res.json(await listAllApiKeyPage(deps.db, { userId: q.user_id, limit: q.limit, cursor: q.cursor }));
  });
  router.delete('/v1/admin/api-keys/:id', ...guards.admin, async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    await revokeKey(deps.db, id, undefined);
    await recordAdminAction(deps.db, deps.logger, clientOf(req), { event: 'admin.api_key_revoked', actorId: principalOf(req).userId, target: id, details: {} });
    res.status(204).end();
  });
  return router;
}
