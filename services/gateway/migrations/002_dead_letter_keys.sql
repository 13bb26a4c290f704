-- A dead letter can be delivered to the gateway more than once (at-least-once); its key makes the insert idempotent.
ALTER TABLE dead_letters ADD COLUMN dedupe_key text;
CREATE UNIQUE INDEX dead_letters_dedupe_key_idx ON dead_letters (dedupe_key);
