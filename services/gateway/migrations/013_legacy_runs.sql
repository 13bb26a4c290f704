-- Tasks and events carry their run (Envelope.run) since this release, and the tracker applies only the events of
-- a request's current run (`replays`). A request an operator reopened before this release is in a run whose tasks
-- carry no run: `legacy_run` lets its events (run 0) count as that run's until a new replay starts a stamped one.
-- Set only here and cleared by a replay; not indexed, so the tracker's updates stay HOT.
ALTER TABLE content_requests ADD COLUMN legacy_run boolean NOT NULL DEFAULT false;
UPDATE content_requests SET legacy_run = true WHERE replays > 0 AND status NOT IN ('published', 'failed', 'cancelled');
