import type { StageError } from './events.ts';
import type { Stage } from './stages.ts';

/**
 * What a user may read of a failed stage: the stable code and a message chosen here by code, never the
 * thrown error's own text, which can name a resolved address, a file path or an upstream body. The detail
 * goes to the worker's log and the stage's span (see @pressroom/messaging consumeStage).
 */
const WHO: Record<Stage, string> = { research: 'the search service', write: 'the language model', publish: 'the publishing target' };

// A Map, so a code such as `constructor` cannot reach Object.prototype.
const MESSAGES = new Map<string, (stage: Stage) => string>(
  Object.entries({
    target_not_found: (stage) => `${WHO[stage]} has a host name that does not exist`,
    target_tls_invalid: (stage) => `${WHO[stage]} presented a TLS certificate that is not valid`,
    target_redirect_loop: (stage) => `${WHO[stage]} redirected too many times`,
    target_redirected: (stage) => `${WHO[stage]} answered with a redirect, which is not followed: use the URL it redirects to`,
    target_forbidden: (stage) => (stage === 'publish' ? 'the webhook target is not allowed' : 'the target address is not allowed'),
    response_too_large: (stage) => `${WHO[stage]} answered more than the size limit`,
    upstream_timeout: (stage) => `${WHO[stage]} did not answer in time`,
    upstream_unreachable: (stage) => `${WHO[stage]} could not be reached`,
    upstream_rate_limited: (stage) => `${WHO[stage]} is rate limiting requests`,
    upstream_error: (stage) => `the call to ${WHO[stage]} failed`,
    bad_provider_response: (stage) => `${WHO[stage]} answered with something that could not be read`,
    breaker_open: (stage) => `${WHO[stage]} is failing; calls to it are paused`,
    channel_not_configured: () => 'the publishing channel is not configured',
    publish_dir_unwritable: () => 'the article could not be written to the publishing folder',
    publish_write_failed: () => 'the article could not be written to the publishing folder',
    publish_in_progress: () => 'the article is already being published',
    idempotency_unavailable: () => 'publishing is briefly unavailable',
    llm_refused: () => 'the language model declined to write this article',
    llm_bad_output: () => 'the language model answered with an unusable article',
    llm_output_truncated: () => 'the language model answer was cut short',
    invalid_message: () => 'the task was malformed',
    retries_exhausted: (stage) => `the ${stage} stage kept failing and was given up`,
    cancelled: () => 'the request was cancelled',
  }),
);

/** Codes whose messages are written for the user (counts and the topic, never addresses or paths). */
const OWN_MESSAGE = new Set(['no_sources']);

export function publicStageError(stage: Stage, error: StageError): StageError {
  const { code } = error;
  if (OWN_MESSAGE.has(code)) return error;
  const known = MESSAGES.get(code);
  if (known) return { code, message: known(stage) };
  const status = /^upstream_(\d{3})$/.exec(code)?.[1];
  if (status) return { code, message: `${WHO[stage]} answered HTTP ${status}` };
  return { code, message: `the ${stage} stage failed` };
}
