-- The delivery loop claims at most one due delivery per endpoint (fair to every endpoint whatever one's backlog):
-- a skip scan over this index lists the endpoints with pending deliveries, and a probe per endpoint finds its
-- earliest, so a claim costs the number of endpoints waiting, not the number of deliveries waiting.
CREATE INDEX webhook_deliveries_endpoint_pending_idx ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
