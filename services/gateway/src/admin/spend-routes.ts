import { Router } from 'express';
import { AdminSpendQuery } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import type { Guards } from '../http/guards.ts';
import { parseQuery } from '../http/validate.ts';
import { spendReport } from './spend-report.ts';

/** `GET /v1/admin/spend`: mounted before adminRoutes, so it carries the admin guards itself (run once). */
export function spendRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  router.get('/v1/admin/spend', ...guards.admin, async (req, res) => {
    res.json(await spendReport(deps, parseQuery(AdminSpendQuery, req.query)));
  });
  return router;
}
