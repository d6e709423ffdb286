-- At most one refund per credit-paid order, so a repeated refund cannot credit twice.
CREATE UNIQUE INDEX credit_ledger_order_refund_key ON credit_ledger ((data->>'orderReference'))
    WHERE data->>'kind' = 'order_refund';
