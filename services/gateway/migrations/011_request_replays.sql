-- A replayed dead letter runs a failed request's stage again from attempt 1, so its events have the same
-- `<stage>.<type>.<attempt>` as the first run's, and the event log's key (007) would drop them as redeliveries.
-- `replays` counts the operator's replays of the request; the tracker keys the events of replay n as
-- `<stage>.<type>.<attempt>.replay<n>`, so each run is its own timeline and a redelivery within a run is still
-- one row. Not indexed, and set only by a replay: the tracker's updates stay HOT.
ALTER TABLE content_requests ADD COLUMN replays integer NOT NULL DEFAULT 0;
