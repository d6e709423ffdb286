-- Membership pays once: at most one membership order waiting for payment per member (older extras are closed
-- as replaced first), one membership reward per buyer and tier.
UPDATE orders o SET data = o.data || '{"status": "failed", "replacedBy": "migration"}'::jsonb, updated_at = now()
WHERE o.data->>'kind' = 'membership' AND o.data->>'status' = 'created'
  AND EXISTS (SELECT 1 FROM orders n
              WHERE n.data->>'kind' = 'membership' AND n.data->>'status' = 'created'
                AND n.data->>'buyerUserId' = o.data->>'buyerUserId'
                AND (n.created_at, n.id) > (o.created_at, o.id));
CREATE UNIQUE INDEX orders_open_membership_key ON orders ((data->>'buyerUserId'))
    WHERE data->>'kind' = 'membership' AND data->>'status' = 'created';
CREATE UNIQUE INDEX referral_rewards_membership_tier_key
    ON referral_rewards ((data->>'buyerUserId'), (data->>'tier'))
    WHERE data->>'kind' = 'membership';
