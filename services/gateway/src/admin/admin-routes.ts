import { Router } from 'express';
import {
  AdminAuditQuery,
  AdminDeadLettersQuery,
  AdminListRequestsQuery,
  AdminListUsersQuery,
  AdminUserPatchBody,
  DeadLetterTargetParams,
  EmptyBody,
  EmptyQuery,
  IdParams,
  STAGES,
  type Stage,
} from '@pressroom/contracts';
import { listDeadLetters } from '../dead-letters/dead-letter-repository.ts';
import { replayDeadLetter, replayDeadLetters } from '../dead-letters/replay-dead-letters.ts';
import { listBreakers } from './breaker-states.ts';
import { listAuditEvents, recordAdminAction } from '../audit/audit-repository.ts';
import { clientOf } from '../audit/security-events.ts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { getAdminRequest, listAllRequests, listAllUsers, patchUser } from './admin-use-cases.ts';
import { listQueues } from './queue-backlog.ts';

/** Everything under /v1/admin, known route or not, is behind authentication and the admin role. */
export function adminRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  router.use('/v1/admin', ...guards.admin);
  router.get('/v1/admin/requests', async (req, res) => {
    res.json(await listAllRequests(deps, parseQuery(AdminListRequestsQuery, req.query)));
  });
  router.get('/v1/admin/requests/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    res.json(await getAdminRequest(deps, id));
  });
  router.get('/v1/admin/users', async (req, res) => {
    res.json(await listAllUsers(deps, parseQuery(AdminListUsersQuery, req.query)));
  });
  router.patch('/v1/admin/users/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    res.json(await patchUser(deps, principalOf(req), clientOf(req), id, parseBody(AdminUserPatchBody, req.body)));
  });
  router.get('/v1/admin/dead-letters', async (req, res) => {
    const q = parseQuery(AdminDeadLettersQuery, req.query);
    const rows = await listDeadLetters(deps.db, {
      stage: q.stage,
      requestId: q.request_id,
      includeReplayed: q.include_replayed ?? false,
      limit: q.limit ?? 100,
    });
    res.json({ items: rows.map(({ message: _message, ...row }) => row) });
  });
  // A stage replays all of its waiting dead letters; a dead letter's id replays that one (404 unknown, 409 already replayed).
  router.post('/v1/admin/dead-letters/:target/replay', async (req, res) => {
    const { target } = parseParams(DeadLetterTargetParams, req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    const { stage, reopened, ...result } = (STAGES as readonly string[]).includes(target)
      ? await replayDeadLetters(deps.db, target as Stage)
      : await replayDeadLetter(deps.db, target);
    if (result.replayed > 0) void deps.outbox.wake();
    void deps.changes.publish(reopened);
    await recordAdminAction(deps.db, deps.logger, clientOf(req), {
      event: 'admin.dead_letters_replayed',
      actorId: principalOf(req).userId,
      target,
      details: { stage, ...result },
    });
    res.json(result);
  });
  router.get('/v1/admin/queues', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await listQueues(deps));
  });
  router.get('/v1/admin/audit', async (req, res) => {
    res.json(await listAuditEvents(deps.db, parseQuery(AdminAuditQuery, req.query)));
  });
  router.get('/v1/admin/breakers', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await listBreakers(deps.redis, deps.config.REDIS_KEY_PREFIX));
  });
  return router;
}
