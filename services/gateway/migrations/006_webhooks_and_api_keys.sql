-- Issue 13: API keys for programs, webhook endpoints and their delivery log.

-- Only the SHA-256 of a key is kept; `prefix` (its first 12 characters, not secret) names it in lists and logs.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_created_idx ON api_keys (user_id, created_at DESC, id DESC);
CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC, id DESC);

-- No secret column: an endpoint's secret is derived from WEBHOOK_SIGNING_SECRET, its id and `secret_version`
-- (HKDF). A rotation bumps the version; the previous one still signs until `previous_secret_until`.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  url text NOT NULL,
  events text[] NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  secret_version integer NOT NULL DEFAULT 1,
  previous_secret_until timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  disabled_reason text,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_user_created_idx ON webhook_endpoints (user_id, created_at DESC, id DESC);

-- The callback outbox and delivery log in one: a row per (endpoint, event, request), written in the same
-- statement that makes the request terminal (the trigger below), delivered by the gateway's delivery loop.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  request_id uuid REFERENCES content_requests (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX webhook_deliveries_once_idx ON webhook_deliveries (endpoint_id, event_type, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_created_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_request_idx ON webhook_deliveries (request_id);

-- Fires only when a request reaches a terminal status, inside the writer's own statement (the tracker's
-- batch, a dead letter, a cancel), so a callback is enqueued exactly when the status commits and never
-- otherwise. The WHEN clause keeps every in-flight status change free of it.
CREATE FUNCTION enqueue_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event_type, request_id)
  SELECT e.id, 'request.' || NEW.status, NEW.id FROM webhook_endpoints e
   WHERE e.user_id = NEW.user_id AND e.enabled AND ('request.' || NEW.status) = ANY (e.events)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER content_requests_terminal_webhooks AFTER UPDATE OF status ON content_requests
  FOR EACH ROW WHEN (NEW.status IN ('published', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION enqueue_webhook_deliveries();
