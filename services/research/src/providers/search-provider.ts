import type { Config } from '@pressroom/config';
import type { Breakers, HttpClient } from '@pressroom/resilience';

/** One search result. `text` is set only when the provider already holds the document (the local corpus). */
export type SearchHit = { title: string; url: string; snippet: string; text?: string };

export interface SearchProvider {
  name: string;
  search(query: string, limit: number): Promise<SearchHit[]>;
}

export interface ProviderDeps {
  config: Config;
  client: HttpClient;
  breakers: Breakers;
}
