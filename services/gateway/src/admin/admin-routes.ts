import { Router } from 'express';
import { AdminListRequestsQuery, AdminListUsersQuery, AdminUserPatchBody, EmptyQuery, IdParams } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { listAllRequests, listAllUsers, patchUser } from './admin-use-cases.ts';

/** Everything under /v1/admin, known route or not, is behind authentication and the admin role. */
export function adminRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  router.use('/v1/admin', ...guards.admin);
  router.get('/v1/admin/requests', async (req, res) => {
    res.json(await listAllRequests(deps, parseQuery(AdminListRequestsQuery, req.query)));
  });
  router.get('/v1/admin/users', async (req, res) => {
    res.json(await listAllUsers(deps, parseQuery(AdminListUsersQuery, req.query)));
  });
  router.patch('/v1/admin/users/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    res.json(await patchUser(deps, principalOf(req), id, parseBody(AdminUserPatchBody, req.body)));
  });
  return router;
}
