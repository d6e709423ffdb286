-- Failed sign-ins are counted per email and client address: a guesser pauses only their own attempts at an
-- account; an account-wide cap over every address stops distributed guessing.
ALTER TABLE login_failures ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_email_client_time_idx ON login_failures (email, client_ip, created_at);
