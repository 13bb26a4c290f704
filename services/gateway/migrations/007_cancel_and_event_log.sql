-- Issue 13: cancellation, and the per-request event log that SSE streams read (and resume from on any replica).

-- `cancelled` is a final status of a request and of the stage it stopped at.
ALTER TABLE content_requests DROP CONSTRAINT content_requests_status_check;
ALTER TABLE content_requests ADD CONSTRAINT content_requests_status_check
  CHECK (status IN ('queued', 'researching', 'writing', 'publishing', 'published', 'failed', 'cancelled'));
ALTER TABLE request_stages DROP CONSTRAINT request_stages_status_check;
ALTER TABLE request_stages ADD CONSTRAINT request_stages_status_check
  CHECK (status IN ('pending', 'running', 'retrying', 'completed', 'failed', 'cancelled'));

-- `outcome` (migration 005) must know `cancelled` is final. PostgreSQL 15 cannot change a generated column's
-- expression (SET EXPRESSION is 17+), so the column and its two indexes are made again (a table rewrite, once).
ALTER TABLE content_requests DROP COLUMN outcome;
ALTER TABLE content_requests
  ADD COLUMN outcome text NOT NULL GENERATED ALWAYS AS (CASE WHEN status IN ('published', 'failed', 'cancelled') THEN status ELSE 'in_flight' END) STORED;
CREATE INDEX content_requests_user_outcome_created_idx ON content_requests (user_id, outcome, created_at DESC, id DESC);
CREATE INDEX content_requests_outcome_created_idx ON content_requests (outcome, created_at DESC, id DESC);

-- When the owner asked to stop: the request stays in flight until a worker reaches a stage boundary. In no index,
-- like `event_seq`, so the tracker's updates stay HOT.
ALTER TABLE content_requests ADD COLUMN cancel_requested_at timestamptz;
-- The last sequence number handed out to this request's events (SSE `id:`); the tracker's statement bumps it.
ALTER TABLE content_requests ADD COLUMN event_seq integer NOT NULL DEFAULT 0;

-- A request's timeline as its clients see it: stage events (a `started` inferred when a worker skipped it) and
-- status changes, numbered per request in commit order (the request row's lock orders concurrent batches).
-- `key` makes a redelivered event one row: `<stage>.<type>.<attempt>`, or `status.<seq>`. A request has a
-- handful of rows, so reads by request id use the primary key's prefix and need no index on `seq`.
-- No foreign key: its check is one more query and a row lock (FOR KEY SHARE) per inserted event inside the
-- tracker's statement, on the hot path. Rows are only written there, for requests it has just updated; a
-- trigger deletes a request's events with it instead, off the hot path.
CREATE TABLE request_events (
  request_id uuid NOT NULL,
  key text NOT NULL,
  seq integer NOT NULL,
  event text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (request_id, key)
);

CREATE FUNCTION delete_request_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM request_events e USING old_rows o WHERE e.request_id = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER content_requests_delete_events AFTER DELETE ON content_requests
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION delete_request_events();
