import { Router } from 'express';
import { CreateWebhookBody, DeliveriesQuery, EmptyBody, EmptyQuery, IdParams, PatchWebhookBody, RotateSecretBody } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import {
  createEndpoint,
  deliveryPage,
  listUserEndpoints,
  ownEndpoint,
  patchEndpoint,
  removeEndpoint,
  rotateSecret,
  sendTestEvent,
} from './webhook-use-cases.ts';
import { toWebhookView } from './webhook-views.ts';

/** A user's webhook endpoints: completion callbacks for their content requests (see delivery-loop.ts). */
export function webhookRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  router.use('/v1/webhooks', ...guards.user);
  const idOf = (params: unknown) => parseParams(IdParams, params).id;
  router.post('/v1/webhooks', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const created = await createEndpoint(deps, principalOf(req).userId, parseBody(CreateWebhookBody, req.body));
    res.status(201).location(`/v1/webhooks/${created.id}`).set('Cache-Control', 'no-store').json(created);
  });
  router.get('/v1/webhooks', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await listUserEndpoints(deps, principalOf(req).userId));
  });
  router.get('/v1/webhooks/:id', async (req, res) => {
    const id = idOf(req.params);
    parseQuery(EmptyQuery, req.query);
    res.json(toWebhookView(await ownEndpoint(deps, id, principalOf(req).userId)));
  });
  router.patch('/v1/webhooks/:id', async (req, res) => {
    const id = idOf(req.params);
    parseQuery(EmptyQuery, req.query);
    res.json(await patchEndpoint(deps, id, principalOf(req).userId, parseBody(PatchWebhookBody, req.body)));
  });
  router.delete('/v1/webhooks/:id', async (req, res) => {
    const id = idOf(req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    await removeEndpoint(deps, id, principalOf(req).userId);
    res.status(204).end();
  });
  router.post('/v1/webhooks/:id/test', async (req, res) => {
    const id = idOf(req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    res.status(202).json(await sendTestEvent(deps, id, principalOf(req).userId));
  });
  router.get('/v1/webhooks/:id/deliveries', async (req, res) => {
    const id = idOf(req.params);
    res.json(await deliveryPage(deps, id, principalOf(req).userId, parseQuery(DeliveriesQuery, req.query)));
  });
  router.post('/v1/webhooks/:id/rotate-secret', async (req, res) => {
    const id = idOf(req.params);
    parseQuery(EmptyQuery, req.query);
    const body = parseBody(RotateSecretBody, req.body);
    res.set('Cache-Control', 'no-store').json(await rotateSecret(deps, id, principalOf(req).userId, body.overlap_s));
  });
  return router;
}
