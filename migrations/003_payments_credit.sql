-- Money movements: the per-user credit ledger, every payment-provider delivery, memberships.
CREATE TABLE credit_ledger (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT credit_ledger_user_present CHECK (data->>'userId' IS NOT NULL),
    CONSTRAINT credit_ledger_amount_nonzero CHECK ((data->>'amount')::bigint <> 0)
);
CREATE INDEX credit_ledger_user_idx ON credit_ledger ((data->>'userId'));
-- At most one debit per order, so a retried credit payment cannot charge twice.
CREATE UNIQUE INDEX credit_ledger_order_debit_key ON credit_ledger ((data->>'orderReference'))
    WHERE data->>'kind' = 'order_debit';

CREATE TABLE payment_events (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_order_idx ON payment_events ((data->>'orderReference'));
-- Idempotency per (orderReference, transactionStatus) for accepted deliveries.
CREATE UNIQUE INDEX payment_events_order_status_key ON payment_events ((data->>'orderReference'), (data->>'transactionStatus'))
    WHERE data->>'verdict' = 'accepted';

CREATE TABLE memberships (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT memberships_user_present CHECK (data->>'userId' IS NOT NULL)
);
CREATE INDEX memberships_user_idx ON memberships ((data->>'userId'));
