-- Clawbacks: what a referrer owes back for a reward paid out (minted, or settled against an earlier clawback) whose
-- order was refunded afterwards. A clawback is netted from the referrer's next rewards before they are minted
-- (`clawback_nettings`, one row per clawback and reward); an admin may waive what is left of it, with a reason.
-- What is left of a clawback is its amount less its nettings; it is settled when nothing is left.
CREATE TABLE clawbacks (
    id               TEXT PRIMARY KEY,
    reward_id        TEXT NOT NULL UNIQUE REFERENCES referral_rewards (id),
    referrer_user_id TEXT NOT NULL,
    order_reference  TEXT NOT NULL,
    amount_wei       NUMERIC(78, 0) NOT NULL CHECK (amount_wei > 0),
    waived_by        TEXT,
    waived_reason    TEXT,
    waived_at        TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT clawbacks_waiver_complete CHECK (
        (waived_by IS NULL) = (waived_reason IS NULL) AND (waived_by IS NULL) = (waived_at IS NULL))
);
CREATE INDEX clawbacks_referrer_idx ON clawbacks (referrer_user_id, created_at, id);

CREATE TABLE clawback_nettings (
    clawback_id TEXT NOT NULL REFERENCES clawbacks (id),
    reward_id   TEXT NOT NULL REFERENCES referral_rewards (id),
    amount_wei  NUMERIC(78, 0) NOT NULL CHECK (amount_wei > 0),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (clawback_id, reward_id)
);
CREATE INDEX clawback_nettings_reward_idx ON clawback_nettings (reward_id);

-- A reward settled entirely against clawbacks is `netted`: nothing of it is minted.
ALTER TABLE referral_rewards DROP CONSTRAINT referral_rewards_status_valid;
ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_status_valid CHECK (
    data->>'status' IN ('pending', 'approved', 'minting', 'minted', 'netted', 'rejected', 'voided', 'failed'));

-- The flag this table replaces: a minted reward flagged `clawbackDue` becomes a clawback; a flagged one still
-- minting is recorded by the sweeper once it settles.
INSERT INTO clawbacks (id, reward_id, referrer_user_id, order_reference, amount_wei)
SELECT 'cb-' || id, id, data->>'referrerUserId', data->>'orderReference', (data->>'amountWei')::numeric
FROM referral_rewards
WHERE data->>'status' = 'minted' AND COALESCE((data->>'clawbackDue')::boolean, false)
  AND (data->>'amountWei')::numeric > 0;
UPDATE referral_rewards SET data = data - 'clawbackDue' WHERE data ? 'clawbackDue';
