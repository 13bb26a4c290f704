-- An endpoint is disabled after WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row that also span
-- WEBHOOK_DISABLE_AFTER_S: counted alone, a backlog meeting a receiver down for a deploy failed twenty attempts
-- within seconds and disabled it, and while disabled its events are not recorded. `failing_since` is the first
-- failure of the current run (NULL while the last attempt succeeded), `last_failed_at` its latest: a failure after
-- a quiet gap as long as the window starts a new run (an old run's start must not make a new burst look long).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since timestamptz, ADD COLUMN last_failed_at timestamptz;
UPDATE webhook_endpoints SET failing_since = now(), last_failed_at = now() WHERE consecutive_failures > 0 AND enabled;
