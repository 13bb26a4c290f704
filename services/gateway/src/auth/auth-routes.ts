import { Router } from 'express';
import { EmptyBody, LoginBody, RefreshBody, RegisterBody } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { authenticate, principalOf } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { login, logout, refreshSession, registerUser } from './auth-use-cases.ts';
import { getMe } from './me.ts';

export function authRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const auth = authenticate(deps);
  router.post('/v1/auth/register', async (req, res) => {
    const user = await registerUser(deps, parseBody(RegisterBody, req.body));
    res.status(201).json({ user });
  });
  router.post('/v1/auth/login', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await login(deps, parseBody(LoginBody, req.body)));
  });
  router.post('/v1/auth/refresh', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await refreshSession(deps, parseBody(RefreshBody, req.body)));
  });
  router.post('/v1/auth/logout', auth, async (req, res) => {
    parseBody(EmptyBody, req.body);
    await logout(deps, principalOf(req).sessionId);
    res.status(204).end();
  });
  router.get('/v1/me', auth, async (req, res) => {
    res.json(await getMe(deps, principalOf(req).userId));
  });
  return router;
}
