import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS_FAST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
const SECONDS_SLOW = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * One registry per service with every Pressroom metric declared once, so names and labels
 * cannot drift between services. Label values are bounded: stages, outcomes, routes, never ids.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // prom-client types these totals as gauges with a _total suffix, which `promtool check metrics` rejects (a
  // _total is a counter). The same numbers stay, by type, in nodejs_active_handles, _requests and _resources.
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  const registers = [registry];

  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_FAST,
      registers,
    }),
    stageDuration: new Histogram({
      name: 'pressroom_stage_duration_seconds',
      help: 'Time spent in one pipeline stage attempt',
      labelNames: ['stage', 'outcome'],
      buckets: SECONDS_SLOW,
      registers,
    }),
    taskAge: new Histogram({
      name: 'pressroom_queue_task_age_seconds',
      help: 'Time from enqueue to the start of processing',
      labelNames: ['stage'],
      buckets: SECONDS_SLOW,
      registers,
    }),
    retries: new Counter({ name: 'pressroom_retries_total', help: 'Stage attempts scheduled for retry', labelNames: ['stage', 'reason'], registers }),
    deadLetters: new Counter({ name: 'pressroom_dead_letters_total', help: 'Tasks dead-lettered', labelNames: ['stage', 'reason'], registers }),
    tasks: new Counter({ name: 'pressroom_tasks_total', help: 'Tasks handled by outcome', labelNames: ['stage', 'outcome'], registers }),
    llmCalls: new Counter({ name: 'pressroom_llm_calls_total', help: 'LLM calls by outcome', labelNames: ['provider', 'model', 'outcome'], registers }),
    llmTokens: new Counter({ name: 'pressroom_llm_tokens_total', help: 'LLM tokens used', labelNames: ['provider', 'model', 'kind'], registers }),
    llmCost: new Counter({
      name: 'pressroom_llm_cost_usd_total',
      help: 'Estimated LLM cost in USD from LLM_PRICES (calls of a model without a price add nothing)',
      labelNames: ['provider', 'model'],
      registers,
    }),
    llmSavedTokens: new Counter({
      name: 'pressroom_llm_saved_tokens_total',
      help: 'LLM tokens not spent because a cached answer was reused',
      labelNames: ['provider', 'model', 'kind'],
      registers,
    }),
    llmSavedCost: new Counter({
      name: 'pressroom_llm_saved_cost_usd_total',
      help: 'Estimated LLM cost in USD not spent because a cached answer was reused',
      labelNames: ['provider', 'model'],
      registers,
    }),
    cache: new Counter({ name: 'pressroom_cache_requests_total', help: 'Cache lookups by result', labelNames: ['cache', 'result'], registers }),
    breakerState: new Gauge({
      name: 'pressroom_breaker_state',
      help: 'Circuit breaker state: 0 closed, 0.5 half-open, 1 open',
      labelNames: ['breaker'],
      registers,
    }),
    rateLimited: new Counter({ name: 'pressroom_rate_limited_total', help: 'Requests refused by a rate limiter', labelNames: ['limiter'], registers }),
    quotaExceeded: new Counter({
      name: 'pressroom_quota_exceeded_total',
      help: 'Content requests refused by a daily quota: requests (DAILY_REQUEST_QUOTA) or spend (DAILY_SPEND_BUDGET_USD)',
      labelNames: ['quota'],
      registers,
    }),
    outboxPublished: new Counter({ name: 'pressroom_outbox_published_total', help: 'Outbox rows published to the broker', registers }),
    requestsSubmitted: new Counter({ name: 'pressroom_requests_submitted_total', help: 'Content requests accepted', registers }),
    requestsFinished: new Counter({
      name: 'pressroom_requests_finished_total',
      help: 'Content requests that reached a final status',
      labelNames: ['status'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
