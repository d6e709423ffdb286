-- Users and their sessions. Document collections: the row is (id, data JSONB), keys camelCase as in the seed.
CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_lowercase CHECK (data->>'email' IS NOT NULL AND data->>'email' = lower(data->>'email')),
    CONSTRAINT users_role_valid CHECK (data->>'role' IN ('member', 'admin')),
    CONSTRAINT users_wallets_array CHECK (jsonb_typeof(COALESCE(data->'wallets', '[]'::jsonb)) = 'array')
);
CREATE UNIQUE INDEX users_email_key ON users (lower(data->>'email'));

-- The id is the SHA-256 of the cookie token, so a leaked table does not leak live sessions.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT sessions_user_present CHECK (data->>'userId' IS NOT NULL)
);
CREATE INDEX sessions_user_idx ON sessions ((data->>'userId'));
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Failed sign-ins, counted per email over a sliding window to stop password guessing across all instances.
CREATE TABLE login_failures (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_time_idx ON login_failures (email, created_at);
