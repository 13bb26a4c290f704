-- Admin actions, kept apart from the logs so they can be listed (GET /v1/admin/audit) and outlive log retention.
-- No foreign keys: the trail stays when the actor or the target is deleted.
CREATE TABLE audit_events (
  id uuid PRIMARY KEY,
  event text NOT NULL,
  actor_id uuid NOT NULL,
  target text,
  client_ip text,
  request_id text,
  details jsonb NOT NULL DEFAULT '{}',
  -- Milliseconds, like every other table listed with a cursor (see 003).
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX audit_events_created_at_idx ON audit_events (created_at DESC, id DESC);

-- GET /v1/auth/sessions shows when each session last refreshed.
ALTER TABLE session_families ADD COLUMN last_used_at timestamptz;
