import type { Static } from '@sinclair/typebox';
import type { DeliveryView, WebhookView } from '@pressroom/contracts';
import type { DeliveryRow, EndpointRow } from './webhook-repository.ts';

export function toWebhookView(e: EndpointRow): Static<typeof WebhookView> {
  const overlapping = e.previous_secret_until && Date.parse(e.previous_secret_until) > Date.now();
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    secret_version: e.secret_version,
    previous_secret_valid_until: overlapping ? e.previous_secret_until : null,
    consecutive_failures: e.consecutive_failures,
    disabled_reason: e.disabled_reason,
    disabled_at: e.disabled_at,
    created_at: e.created_at,
    updated_at: e.updated_at,
  };
}

export function toDeliveryView(d: DeliveryRow): Static<typeof DeliveryView> {
  return {
    id: d.id,
    event_type: d.event_type,
    request_id: d.request_id,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? d.next_attempt_at : null,
    last_attempt_at: d.last_attempt_at,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    delivered_at: d.delivered_at,
    created_at: d.created_at,
  };
}
