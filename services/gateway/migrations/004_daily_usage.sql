-- The daily quota as a counter: one row per user per UTC day, incremented by the submit statement itself
-- (INSERT ... ON CONFLICT DO UPDATE ... WHERE used < quota), so a submit costs O(1) whatever the day's volume,
-- and concurrent submits of one user queue on this row only for the rest of that one statement.
CREATE TABLE daily_usage (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day date NOT NULL,
  used integer NOT NULL CHECK (used >= 0),
  PRIMARY KEY (user_id, day)
) WITH (fillfactor = 50);
-- Room on the page for the row's next versions: its updates stay HOT and are pruned in place.

-- Requests already accepted today count, so a deploy in the middle of the day keeps every quota exact.
INSERT INTO daily_usage (user_id, day, used)
SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, count(*)
  FROM content_requests
 WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
 GROUP BY 1, 2;
