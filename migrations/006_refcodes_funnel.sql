-- A code's funnel counts documents of other collections that name it; these lookups stay index scans.
-- Codes are stored upper-case (refcodes_code_format), and so are the copies other collections keep.
CREATE INDEX users_referred_by_code_idx ON users ((data->'referredBy'->>'code'));
CREATE INDEX orders_referral_code_idx ON orders ((data->>'referralCode'), (data->>'status'));
ALTER TABLE refcodes ADD CONSTRAINT refcodes_active_boolean CHECK (jsonb_typeof(data->'active') = 'boolean');
