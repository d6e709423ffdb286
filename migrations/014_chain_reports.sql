-- What the minter last saw of the chain, one document per kind, for the admin page's chain card
-- (src/server/minter/health.rs): the last run's summary or error ('mint_run'), the minter's and the treasury's
-- balances read then ('balances'), the last reconciliation report with its drift ('reconciliation').
CREATE TABLE chain_reports (
    kind text PRIMARY KEY CHECK (kind IN ('mint_run', 'balances', 'reconciliation')),
    data jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
