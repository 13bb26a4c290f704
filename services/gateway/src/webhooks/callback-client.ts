import type { Config } from '@pressroom/config';
import { addressPolicy, createUserTargetClient, type AddressPolicy, type HttpClient } from '@pressroom/resilience';

/**
 * Callback URLs come from users, so they get the client for user targets: http(s) only, every resolved
 * address and every redirect hop checked against the private/loopback/link-local/CGNAT/metadata ranges
 * (ALLOW_PRIVATE_TARGETS lifts that for tests only), bodies capped. A receiver's answer is not read beyond
 * its status, so its cap is small.
 */
export function createCallbackClient(
  config: Pick<Config, 'WEBHOOK_TIMEOUT_MS' | 'ALLOW_PRIVATE_TARGETS'>,
  policy?: AddressPolicy,
): { http: HttpClient; targetPolicy: AddressPolicy } {
  const targetPolicy = policy ?? addressPolicy(config.ALLOW_PRIVATE_TARGETS);
  const http = createUserTargetClient({
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS,
    maxRedirects: 3,
    maxResponseBytes: 64 * 1024,
    addressPolicy: targetPolicy,
  });
  return { http, targetPolicy };
}
