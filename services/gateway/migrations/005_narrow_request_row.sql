-- Request state written once per change (issue 11): the tracker updates a request's row once per batch of
-- events, and those updates should be HOT (no index entry rewritten). A HOT update needs room on the page and
-- must not change an indexed column.

-- The article is written once, when the write stage completes, into its own table; the request row no longer
-- carries (and copies on every update) a multi-kilobyte JSONB value.
CREATE TABLE request_results (
  request_id uuid PRIMARY KEY REFERENCES content_requests (id) ON DELETE CASCADE,
  article jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO request_results (request_id, article) SELECT id, article FROM content_requests WHERE article IS NOT NULL;
ALTER TABLE content_requests DROP COLUMN article;

-- Status moves four times in flight (queued, researching, writing, publishing) and once more at the end. The
-- status filters are served by `outcome` instead: it changes once, when the request finishes, so only that
-- last update touches the indexes. A stored generated column is compared by value, so the in-flight status
-- changes leave it (and every index) untouched; an expression index on status would make them all non-HOT.
ALTER TABLE content_requests
  ADD COLUMN outcome text NOT NULL GENERATED ALWAYS AS (CASE WHEN status IN ('published', 'failed') THEN status ELSE 'in_flight' END) STORED;
DROP INDEX content_requests_user_status_created_idx;
DROP INDEX content_requests_status_created_idx;
CREATE INDEX content_requests_user_outcome_created_idx ON content_requests (user_id, outcome, created_at DESC, id DESC);
-- Also how the load shedder finds the requests in flight.
CREATE INDEX content_requests_outcome_created_idx ON content_requests (outcome, created_at DESC, id DESC);

-- Free space on each page for the next versions of its rows (a request's row is updated a handful of times in
-- its first seconds, a stage row two or three times). Applies to pages written from now on.
ALTER TABLE content_requests SET (fillfactor = 70);
ALTER TABLE request_stages SET (fillfactor = 50);
