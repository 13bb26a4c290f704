export {
  createHttpClient,
  createOperatorClient,
  createUserTargetClient,
  fetchLimited,
  fetchPrefix,
  type RedirectCheck,
  type HttpClient,
  type HttpClientOptions,
  type OperatorClientOptions,
  type LimitedBody,
} from './http-client.ts';
export { DEFAULT_RESPONSE_MAX_BYTES, responseLimit } from './response-cap.ts';
export { assertAllowedUrl, guardedLookup } from './outbound-guard.ts';
export { isAllowedAddress, addressPolicy, type AddressPolicy } from './address-policy.ts';
export { classifyHttpError, parseRetryAfter, refuseRedirect } from './classify-error.ts';
export { createBreakers, DEFAULT_BREAKER, type BreakerScope, type Breakers, type BreakerSettings } from './breakers.ts';
export { signWebhookBody, verifyWebhookSignature } from './webhook-signature.ts';
export {
  alertWebhookSecretContext,
  deriveWebhookSecret,
  endpointSecretContext,
  requestSecretContext,
  standardWebhookHeaders,
  verifyStandardWebhook,
  type SecretContext,
  type StandardWebhookHeaders,
} from './standard-webhooks.ts';
