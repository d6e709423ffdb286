-- The reward sweeper finds paid orders the reward ledger has not decided without a scan. Paid orders that already
-- have their reward are decided; the others are left for the sweeper, which writes a reward lost before.
UPDATE orders o SET data = o.data || '{"rewardOutcome": "alreadyExists"}'::jsonb
WHERE o.data->>'status' = 'paid'
  AND EXISTS (SELECT 1 FROM referral_rewards r WHERE r.data->>'orderReference' = o.data->>'orderReference');
CREATE INDEX orders_reward_undecided_idx ON orders (created_at, id)
    WHERE data->>'status' = 'paid' AND NOT (data ? 'rewardOutcome');
