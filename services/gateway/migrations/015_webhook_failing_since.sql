-- An endpoint is disabled after WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row that also span
-- WEBHOOK_DISABLE_AFTER_S: counted alone, a backlog meeting a receiver down for a deploy failed twenty attempts
-- within seconds and disabled it, and while disabled its events are not recorded. `failing_since` is the first
-- failure of the current run (NULL while the last attempt succeeded).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since timestamptz;
UPDATE webhook_endpoints SET failing_since = now() WHERE consecutive_failures > 0 AND enabled;
