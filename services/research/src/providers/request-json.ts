import { permanentError } from '@pressroom/contracts';
import { classifyHttpError } from '@pressroom/resilience';
import type { ProviderDeps } from './search-provider.ts';

export type JsonRequest = {
  url: string;
  method?: 'GET' | 'POST';
  searchParams?: Record<string, string | number>;
  headers?: Record<string, string>;
  json?: unknown;
};

/**
 * One provider call under the provider's breaker. HTTP failures are classified (5xx/timeouts transient,
 * other 4xx permanent); a 200 that is not JSON is permanent, since asking again returns the same page.
 */
export async function requestJson(deps: Pick<ProviderDeps, 'client' | 'breakers'>, provider: string, req: JsonRequest): Promise<unknown> {
  return deps.breakers.call(`search:${provider}`, async () => {
    let body: string;
    try {
      body = await deps
        .client(req.url, {
          method: req.method ?? 'GET',
          headers: { accept: 'application/json', ...req.headers },
          ...(req.searchParams ? { searchParams: req.searchParams } : {}),
          ...(req.json !== undefined ? { json: req.json } : {}),
        })
        .text();
    } catch (err) {
      throw classifyHttpError(err, `${provider} search`);
    }
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw permanentError('bad_provider_response', `${provider} search answered 200 with a body that is not JSON`);
    }
  });
}
