-- Guards of the payment flows: a paid order settles each vendor once (and reverses once), a membership
-- order grants one membership, rewards waiting for a price are found without a scan.
CREATE UNIQUE INDEX settlements_order_vendor_kind_key
    ON settlements ((data->>'orderReference'), (data->>'vendorId'), (data->>'kind'));
ALTER TABLE settlements ADD CONSTRAINT settlements_kind_valid CHECK (data->>'kind' IN ('sale', 'reversal'));
CREATE UNIQUE INDEX memberships_order_key ON memberships ((data->>'orderReference'));
CREATE INDEX referral_rewards_price_needed_idx ON referral_rewards (created_at)
    WHERE (data->>'priceNeeded')::boolean;
CREATE INDEX credit_ledger_user_currency_idx ON credit_ledger ((data->>'userId'), (data->>'currency'));
ALTER TABLE payment_events ADD CONSTRAINT payment_events_verdict_valid
    CHECK (data->>'verdict' IN ('accepted', 'duplicate', 'rejected'));
