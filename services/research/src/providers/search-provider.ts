import type { Config } from '@pressroom/config';
import type { Breakers, HttpClient } from '@pressroom/resilience';

/**
 * One search result. `text` is set only when the provider already holds the document (the local corpus),
 * and such a hit has been judged relevant by the provider; web hits are judged after their page is fetched.
 */
export type SearchHit = { title: string; url: string; snippet: string; text?: string };

/**
 * What one search found. `offTopic` counts the candidates the provider itself dropped as not about the
 * topic: the local corpus judges relevance while searching, web engines do not (0).
 */
export type SearchResult = { hits: SearchHit[]; offTopic: number };

export interface SearchProvider {
  name: string;
  /**
   * What else decides its answers (the endpoint, the engine, the corpus): part of the search cache key, so a
   * result of another engine or corpus is not served after the settings change.
   */
  cacheScope: string;
  search(query: string, limit: number): Promise<SearchResult>;
}

export interface ProviderDeps {
  config: Config;
  client: HttpClient;
  breakers: Breakers;
}
