import { Router } from 'express';
import { ChangePasswordBody, EmptyBody, EmptyQuery, IdParams, LoginBody, RefreshBody, RegisterBody, isAppError } from '@pressroom/contracts';
import { clientOf } from '../audit/security-events.ts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { listSessions, login, logout, refreshSession, registerUser, revokeSession } from './auth-use-cases.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { getMe } from './me.ts';
import { changePassword } from './password-change.ts';
import { successorKey } from './refresh-tokens.ts';
import { createSessionBudget } from './session-budget.ts';

export function authRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  const throttled = { ...deps, throttle: createLoginThrottle(deps) };
  const budget = createSessionBudget(deps);
  // Config validation guarantees one of the two (HS256 needs the secret, RS256 the private key).
  const refreshing = { ...deps, budget, successorKey: successorKey(deps.config.JWT_SECRET ?? deps.config.JWT_PRIVATE_KEY ?? '') };
  router.post('/v1/auth/register', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const user = await registerUser(deps, parseBody(RegisterBody, req.body));
    res.status(201).json({ user });
  });
  router.post('/v1/auth/login', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await login(throttled, parseBody(LoginBody, req.body), clientOf(req)));
  });
  router.post('/v1/auth/refresh', async (req, res, next) => {
    parseQuery(EmptyQuery, req.query);
    const body = parseBody(RefreshBody, req.body);
    try {
      res.json(await refreshSession(refreshing, body, clientOf(req)));
    } catch (err) {
      if (!isAppError(err) || err.code !== 'unauthorized') throw err;
      guards.refuseBodyCredential(err)(req, res, next);
    }
  });
  router.post('/v1/auth/logout', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    await budget.spend(principalOf(req).sessionId);
    await logout(deps, principalOf(req), clientOf(req));
    res.status(204).end();
  });
  router.get('/v1/auth/sessions', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await listSessions(deps, principalOf(req)));
  });
  router.delete('/v1/auth/sessions/:id', ...guards.user, async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    await revokeSession(deps, principalOf(req), id, clientOf(req));
    res.status(204).end();
  });
  router.post('/v1/auth/password', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const body = parseBody(ChangePasswordBody, req.body);
    await budget.spend(principalOf(req).sessionId);
    await changePassword(throttled, principalOf(req), body, clientOf(req));
    res.status(204).end();
  });
  router.get('/v1/me', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await getMe(deps, principalOf(req).userId));
  });
  return router;
}
