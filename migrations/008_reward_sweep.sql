-- The reward sweeper finds paid orders the reward ledger has not decided without a scan.
CREATE INDEX orders_reward_undecided_idx ON orders (created_at, id)
    WHERE data->>'status' = 'paid' AND NOT (data ? 'rewardOutcome');
