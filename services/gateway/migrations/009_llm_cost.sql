-- Cost accounting (issue 15): what each request's LLM call used and cost, and what each user spent per UTC day.
-- Both ride on rows the tracker's one statement already writes, so recording them costs no extra round trip.

-- The write stage's usage (provider, model, tokens, estimated cost, or what a cached answer saved), stored once
-- with the article: the same INSERT ... ON CONFLICT DO NOTHING that keeps a redelivered event from writing twice.
ALTER TABLE request_results ADD COLUMN usage jsonb;

-- The day's LLM spend in USD beside the day's request count: the tracker adds a request's cost when its article is
-- stored, the submit statement compares it with DAILY_SPEND_BUDGET_USD. Not indexed, so its updates stay HOT.
ALTER TABLE daily_usage ADD COLUMN spent_usd numeric(20, 10) NOT NULL DEFAULT 0 CHECK (spent_usd >= 0);

-- GET /v1/admin/spend ranges over days across users. `day` never changes once written, so updates stay HOT.
CREATE INDEX daily_usage_day_idx ON daily_usage (day);
