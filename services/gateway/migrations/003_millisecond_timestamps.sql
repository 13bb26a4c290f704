-- List cursors carry created_at as an ISO string, which has millisecond precision; a microsecond value would
-- make `(created_at, id) < cursor` skip rows created in the same millisecond as a page's last row.
UPDATE content_requests SET created_at = date_trunc('milliseconds', created_at);
ALTER TABLE content_requests ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());
UPDATE users SET created_at = date_trunc('milliseconds', created_at);
ALTER TABLE users ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());
