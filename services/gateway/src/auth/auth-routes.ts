import { Router } from 'express';
import { ChangePasswordBody, EmptyBody, EmptyQuery, LoginBody, RefreshBody, RegisterBody } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from '../http/authenticate.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseQuery } from '../http/validate.ts';
import { login, logout, refreshSession, registerUser } from './auth-use-cases.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { getMe } from './me.ts';
import { changePassword } from './password-change.ts';

export function authRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  const throttled = { ...deps, throttle: createLoginThrottle(deps) };
  router.post('/v1/auth/register', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const user = await registerUser(deps, parseBody(RegisterBody, req.body));
    res.status(201).json({ user });
  });
  router.post('/v1/auth/login', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await login(throttled, parseBody(LoginBody, req.body), req.ip));
  });
  router.post('/v1/auth/refresh', async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await refreshSession(deps, parseBody(RefreshBody, req.body)));
  });
  router.post('/v1/auth/logout', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    await logout(deps, principalOf(req).sessionId);
    res.status(204).end();
  });
  router.post('/v1/auth/password', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    await changePassword(throttled, principalOf(req), parseBody(ChangePasswordBody, req.body), req.ip);
    res.status(204).end();
  });
  router.get('/v1/me', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    res.json(await getMe(deps, principalOf(req).userId));
  });
  return router;
}
