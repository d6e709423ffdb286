-- Payout wallets proven by signature (EIP-4361, see README "Payout wallets").
-- A member's wallets move out of `users.data.wallets` into rows of their own. A wallet declared before proofs existed
-- keeps its row without a proof (so does each wallet a code pays to): it still counts against its owner in the
-- wallet-overlap guard, but a code may only be created for, or re-pointed to, a proven wallet, and rewards to an
-- unproven one wait until it is proven.
CREATE TABLE wallets (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address     TEXT NOT NULL CHECK (address ~ '^0x[0-9a-fA-F]{40}$'),
    message     TEXT,
    signature   TEXT,
    proven_at   TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT wallets_proof_complete CHECK (
        (message IS NULL) = (signature IS NULL) AND (message IS NULL) = (proven_at IS NULL))
);
CREATE UNIQUE INDEX wallets_user_address_key ON wallets (user_id, lower(address));
-- A proven wallet belongs to one account.
CREATE UNIQUE INDEX wallets_proven_address_key ON wallets (lower(address)) WHERE proven_at IS NOT NULL;

-- The declared wallets, and the wallets the members' codes pay to (listed so their owners can prove them).
INSERT INTO wallets (user_id, address)
SELECT DISTINCT ON (owner, lower(address)) owner, address
  FROM (SELECT u.id AS owner, w AS address, 0 AS source
          FROM users u, jsonb_array_elements_text(COALESCE(u.data->'wallets', '[]'::jsonb)) w
        UNION ALL
        SELECT c.data->>'userId', c.data->>'wallet', 1
          FROM refcodes c JOIN users u ON u.id = c.data->>'userId') declared
 WHERE address ~ '^0x[0-9a-fA-F]{40}$'
 ORDER BY owner, lower(address), source;
UPDATE users SET data = data - 'wallets' WHERE data ? 'wallets';
ALTER TABLE users DROP CONSTRAINT users_wallets_array;

-- The messages issued to be signed: one nonce each, consumed by the proof that uses it, never again.
CREATE TABLE wallet_challenges (
    nonce       TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address     TEXT NOT NULL,
    message     TEXT NOT NULL,
    issued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    consumed_at TIMESTAMPTZ
);
CREATE INDEX wallet_challenges_user_idx ON wallet_challenges (user_id, issued_at);
