-- Membership pays once: at most one membership order waiting for payment per member (older extras are closed
-- as replaced first), one membership reward per buyer and tier, and refunded upgrades marked in the memberships
-- ledger (the tier held is the highest one still standing).
UPDATE orders o SET data = o.data || '{"status": "failed", "replacedBy": "migration"}'::jsonb, updated_at = now()
WHERE o.data->>'kind' = 'membership' AND o.data->>'status' = 'created'
  AND EXISTS (SELECT 1 FROM orders n
              WHERE n.data->>'kind' = 'membership' AND n.data->>'status' = 'created'
                AND n.data->>'buyerUserId' = o.data->>'buyerUserId'
                AND (n.created_at, n.id) > (o.created_at, o.id));
CREATE UNIQUE INDEX orders_open_membership_key ON orders ((data->>'buyerUserId'))
    WHERE data->>'kind' = 'membership' AND data->>'status' = 'created';

UPDATE memberships m SET data = m.data || jsonb_build_object(
        'refunded', EXISTS (SELECT 1 FROM orders o WHERE o.data->>'orderReference' = m.data->>'orderReference'
                                                     AND o.data->>'status' = 'refunded'))
WHERE NOT m.data ? 'refunded';

-- Earlier membership rewards learn their tier from their order; of several for one buyer and tier the oldest keeps it.
UPDATE referral_rewards r SET data = r.data || jsonb_build_object('tier', o.data->>'tier')
FROM orders o
WHERE r.data->>'kind' = 'membership' AND NOT r.data ? 'tier'
  AND o.data->>'orderReference' = r.data->>'orderReference'
  AND NOT EXISTS (SELECT 1 FROM referral_rewards e JOIN orders eo ON eo.data->>'orderReference' = e.data->>'orderReference'
                  WHERE e.data->>'kind' = 'membership' AND e.data->>'buyerUserId' = r.data->>'buyerUserId'
                    AND eo.data->>'tier' = o.data->>'tier' AND (e.created_at, e.id) < (r.created_at, r.id));
CREATE UNIQUE INDEX referral_rewards_membership_tier_key
    ON referral_rewards ((data->>'buyerUserId'), (data->>'tier'))
    WHERE data->>'kind' = 'membership';
