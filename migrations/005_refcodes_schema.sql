-- The refcodes module (seed: data/migrations/005_refcodes_schema.sql).
CREATE TABLE refcodes (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT refcodes_code_format CHECK (data->>'code' ~ '^[A-Z0-9-]{4,24}$'),
    CONSTRAINT refcodes_user_present CHECK (data->>'userId' IS NOT NULL),
    CONSTRAINT refcodes_wallet_format CHECK (data->>'wallet' ~ '^0x[0-9a-fA-F]{40}$'),
    CONSTRAINT refcodes_visits_valid CHECK ((data->>'visits')::bigint >= 0)
);
CREATE UNIQUE INDEX refcodes_code_key ON refcodes (upper(data->>'code'));
CREATE INDEX refcodes_user_idx ON refcodes ((data->>'userId'));

CREATE TABLE referral_rewards (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT referral_rewards_status_valid CHECK (
        data->>'status' IN ('pending', 'approved', 'minting', 'minted', 'rejected', 'voided', 'failed')),
    CONSTRAINT referral_rewards_rail_valid CHECK (data->>'rail' IN ('fiat', 'crypto')),
    CONSTRAINT referral_rewards_amount_wei_decimal CHECK (data->>'amountWei' ~ '^[0-9]+$')
);
-- The seed's first idempotency layer: one reward per order, whatever retries.
CREATE UNIQUE INDEX referral_rewards_order_reference_key ON referral_rewards ((data->>'orderReference'));
-- One store reward per buyer (first purchase only).
CREATE UNIQUE INDEX referral_rewards_store_buyer_key ON referral_rewards ((data->>'buyerUserId'))
    WHERE data->>'kind' = 'store';
CREATE INDEX referral_rewards_status_idx ON referral_rewards ((data->>'status'), created_at, id);
CREATE INDEX referral_rewards_referrer_idx ON referral_rewards ((data->>'referrerUserId'));
CREATE INDEX referral_rewards_code_idx ON referral_rewards ((data->>'referralCode'));
