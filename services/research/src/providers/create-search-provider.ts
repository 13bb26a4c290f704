import { createBraveProvider } from './brave-provider.ts';
import { createGoogleProvider } from './google-provider.ts';
import { createLocalProvider } from './local-provider.ts';
import { createSearxngProvider } from './searxng-provider.ts';
import { createSerperProvider } from './serper-provider.ts';
import type { ProviderDeps, SearchProvider } from './search-provider.ts';

/** Picks the provider named by SEARCH_PROVIDER; config validation already checked its keys are set. */
export async function createSearchProvider(deps: ProviderDeps): Promise<SearchProvider> {
  switch (deps.config.SEARCH_PROVIDER) {
    case 'local':
      return createLocalProvider(deps.config.LOCAL_CORPUS_DIR);
    case 'google':
      return createGoogleProvider(deps);
    case 'serper':
      return createSerperProvider(deps);
    case 'brave':
      return createBraveProvider(deps);
    case 'searxng':
      return createSearxngProvider(deps);
  }
}
