-- A callback says what happened when it happened: the trigger keeps the event's status, error, published URL and
-- time on the delivery row, and every attempt sends that same body (Standard Webhooks: one webhook-id, one
-- message). Built at send time instead, a request.failed retried after an operator's replay read the request as
-- it was by then (in flight again, or published). NULL for rows written before this migration (sent as before).
ALTER TABLE webhook_deliveries ADD COLUMN event jsonb;

CREATE OR REPLACE FUNCTION enqueue_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event_type, request_id, event)
  SELECT e.id, 'request.' || NEW.status, NEW.id,
         jsonb_build_object('status', NEW.status, 'error', NEW.error, 'published_url', NEW.published_url,
                            'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    FROM webhook_endpoints e
   WHERE e.user_id = NEW.user_id AND e.enabled AND ('request.' || NEW.status) = ANY (e.events)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
