-- The API key and webhook delivery lists page by (created_at, id) with the cursor's millisecond ISO string, as
-- 003 explains: a microsecond value would make a page skip the rows created in the same millisecond as the
-- previous page's last row (a status change enqueues one delivery per endpoint in one statement, all in one
-- millisecond). 003 and 008 did this for requests, users and audit events; these two tables came later.
-- Each table's lock is taken first (by its ALTER), so a replica still writing deliveries waits for this
-- migration instead of holding a row it needs: no deadlock; the tables are held for the length of the update.
ALTER TABLE api_keys ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());
UPDATE api_keys SET created_at = date_trunc('milliseconds', created_at) WHERE created_at <> date_trunc('milliseconds', created_at);
ALTER TABLE webhook_deliveries ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', clock_timestamp());
UPDATE webhook_deliveries SET created_at = date_trunc('milliseconds', created_at) WHERE created_at <> date_trunc('milliseconds', created_at);
