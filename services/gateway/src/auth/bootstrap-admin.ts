import type { GatewayDeps } from '../deps.ts';
import { registerUser } from './auth-use-cases.ts';
import { findUserByEmail } from './user-repository.ts';

/**
 * Creates the first admin from BOOTSTRAP_ADMIN_EMAIL/PASSWORD when that account does not exist yet. An existing
 * account is left alone (its password is not reset from the environment on every start).
 */
export async function bootstrapAdmin(deps: Pick<GatewayDeps, 'db' | 'config' | 'logger' | 'tokens'>): Promise<void> {
  const { BOOTSTRAP_ADMIN_EMAIL: email, BOOTSTRAP_ADMIN_PASSWORD: password } = deps.config;
  if (!email || !password) return;
  if (await findUserByEmail(deps.db, email)) return;
  try {
    await registerUser(deps, { email, password }, 'admin');
    deps.logger.info({ email }, 'bootstrap admin created');
  } catch (err) {
    // Another replica created it first.
    if ((err as { code?: string }).code !== 'conflict') throw err;
  }
}
