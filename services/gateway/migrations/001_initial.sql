-- Users, sessions, content requests, their stage timeline and the transactional outbox.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  daily_quota integer CHECK (daily_quota >= 0),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);

-- A session family starts at login; `sid` in access tokens is its id. Its expiry is absolute.
CREATE TABLE session_families (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX session_families_user_id_idx ON session_families (user_id) WHERE revoked_at IS NULL;

-- One row per refresh token ever issued: only its SHA-256 hash, and the link to the token that replaced it.
CREATE TABLE user_sessions (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES session_families (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  refresh_token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  replaced_by uuid REFERENCES user_sessions (id),
  revoked_at timestamptz
);
CREATE INDEX user_sessions_family_id_idx ON user_sessions (family_id);
CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);

CREATE TABLE content_requests (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'researching', 'writing', 'publishing', 'published', 'failed')),
  topic text NOT NULL,
  audience text,
  tone text NOT NULL,
  length text NOT NULL,
  channel jsonb NOT NULL,
  trace_id text,
  article jsonb,
  published_url text,
  error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The list endpoints page newest-first by (created_at, id), per user and optionally per status.
CREATE INDEX content_requests_user_created_idx ON content_requests (user_id, created_at DESC, id DESC);
CREATE INDEX content_requests_user_status_created_idx ON content_requests (user_id, status, created_at DESC, id DESC);
CREATE INDEX content_requests_created_idx ON content_requests (created_at DESC, id DESC);
CREATE INDEX content_requests_status_created_idx ON content_requests (status, created_at DESC, id DESC);

CREATE TABLE request_stages (
  request_id uuid NOT NULL REFERENCES content_requests (id) ON DELETE CASCADE,
  stage text NOT NULL CHECK (stage IN ('research', 'write', 'publish')),
  position smallint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'retrying', 'completed', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms integer,
  error jsonb,
  PRIMARY KEY (request_id, stage)
);

CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key text NOT NULL,
  body_hash text NOT NULL,
  request_id uuid NOT NULL REFERENCES content_requests (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Written in the same transaction as the request; the relay publishes and deletes rows.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  request_id uuid NOT NULL,
  exchange_key text NOT NULL,
  routing_key text NOT NULL,
  message jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_request_id_idx ON outbox (request_id);

CREATE TABLE dead_letters (
  id uuid PRIMARY KEY,
  stage text NOT NULL,
  request_id uuid,
  reason text NOT NULL,
  detail text,
  attempts integer NOT NULL DEFAULT 0,
  message jsonb NOT NULL,
  dead_at timestamptz NOT NULL DEFAULT now(),
  replayed_at timestamptz
);
CREATE INDEX dead_letters_stage_idx ON dead_letters (stage, dead_at DESC) WHERE replayed_at IS NULL;
CREATE INDEX dead_letters_request_id_idx ON dead_letters (request_id);
