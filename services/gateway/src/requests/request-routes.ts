import { Router } from 'express';
import { AppError, CreateRequestBody, EmptyQuery, IdParams, ListRequestsQuery } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { createSubmissionBatches } from './submission-batches.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { getRequest, listRequestPage } from './read-requests.ts';
import { createLoadShedder } from './load-shedder.ts';
import { submitRequest } from './submit-request.ts';
import { toSummary } from './request-view.ts';
import { advertiseQuota } from './quota-policy.ts';
import { adHocWebhookSecret } from '../webhooks/task-channel.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

export function requestRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  const submitDeps = {
    ...deps,
    loadShedder: createLoadShedder({ db: deps.db, logger: deps.logger, metrics: deps.metrics, maxTaskAgeS: deps.config.SHED_TASK_AGE_S }),
    submissions: createSubmissionBatches(deps.db),
  };
  router.use('/v1/requests', ...guards.user);
  router.post('/v1/requests', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const body = parseBody(CreateRequestBody, req.body);
    const key = req.get('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      throw new AppError('validation_failed', 'the Idempotency-Key header must be 1-200 characters of A-Z a-z 0-9 . _ : -', {
        errors: [{ field: 'Idempotency-Key', message: 'is not a valid key' }],
      });
    const { request, replayed, quota } = await submitRequest(submitDeps, principalOf(req).userId, body, key);
    if (quota) advertiseQuota(res, quota);
    if (replayed) res.set('Idempotent-Replayed', 'true');
    const secret = adHocWebhookSecret(deps.config, request.id, request.channel);
    if (secret.webhook_secret) res.set('Cache-Control', 'no-store');
    res
      .status(202)
      .location(`/v1/requests/${request.id}`)
      .json({ ...toSummary(request), ...secret });
  });
  router.get('/v1/requests', async (req, res) => {
    const query = parseQuery(ListRequestsQuery, req.query);
    res.json(await listRequestPage(deps.db, { userId: principalOf(req).userId, ...query }));
  });
  router.get('/v1/requests/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    res.json(await getRequest(deps.db, id, principalOf(req).userId));
  });
  return router;
}
