//! What the minter watches on the chain (README, Minting): after each run, its summary and the balances it read
//! — the minter's gas, the treasury against what the waiting rewards need — and, on a schedule
//! (`RECONCILE_INTERVAL_SECS`) as well as whenever an admin or the `reconcile` command asks, the reconciliation
//! report. Each is kept in `chain_reports` for the admin page's chain card and set in `/metrics`:
//! `refcodes_minter_balance_wei`, `refcodes_treasury_balance_wei`, `refcodes_rewards_owed_wei`,
//! `refcodes_reconcile_drift{kind}` (rewards by status are set by every run).
use super::{Chain, MintError, MintService};
use crate::domain::chain_watch::{Balances, ChainHealth, Drift, LastRun, Recorded, Report};
use crate::domain::mint::MintSummary;
use crate::server::db::{self, chain_reports::ReportKind};
use crate::server::mint::drift;
use refcodes_chain::alloy::primitives::{Address, U256};
use refcodes_chain::{Minter, Mode, Treasury};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The balances document: the gas is low under `low_gas_wei`; the treasury is short when it pays (TRANSFER mode)
/// and holds less than the waiting rewards need.
pub fn balances(
    minter: Address,
    gas: U256,
    low_gas_wei: u128,
    treasury: Treasury,
    owed: U256,
) -> Balances {
    Balances {
        minter: minter.to_string(),
        gas_wei: gas.to_string(),
        low_gas_wei: low_gas_wei.to_string(),
        mode: treasury.mode.as_str().to_string(),
        treasury_wei: treasury.balance.to_string(),
        owed_wei: owed.to_string(),
        gas_low: gas < U256::from(low_gas_wei),
        treasury_short: treasury.mode == Mode::Transfer && treasury.balance < owed,
    }
}

/// Reads and keeps the balances (a run calls it before its batches); a warning when one is low. A read that fails
/// is logged and leaves the last balances in place.
pub async fn record_balances(pool: &PgPool, minter: &Minter, low_gas_wei: u128) {
    let read = async {
        let gas = minter.native_balance().await?;
        let treasury = minter.treasury().await?;
        Ok::<_, refcodes_chain::ChainError>((gas, treasury))
    };
    let (gas, treasury) = match read.await {
        Ok(read) => read,
        Err(e) => {
            tracing::warn!(error = e.reason(), "reading the minter's balances failed");
            return;
        }
    };
    let owed = match db::chain_reports::owed_wei(pool).await {
        Ok(owed) => owed.parse().unwrap_or(U256::MAX),
        Err(e) => {
            tracing::warn!(error = %e, "summing what the waiting rewards need failed");
            return;
        }
    };
    let doc = balances(minter.sender(), gas, low_gas_wei, treasury, owed);
    metrics::gauge!("refcodes_minter_balance_wei").set(wei_f64(gas));
    metrics::gauge!("refcodes_treasury_balance_wei").set(wei_f64(treasury.balance));
    metrics::gauge!("refcodes_rewards_owed_wei").set(wei_f64(owed));
    if doc.gas_low {
        tracing::warn!(minter = %minter.sender(), balance_wei = %gas, "the minter's gas balance is low: top it up (MINTER_LOW_BALANCE)");
    }
    if doc.treasury_short {
        tracing::warn!(treasury_wei = %treasury.balance, owed_wei = %owed, "the treasury holds less than the waiting rewards need: fund the contract");
    }
    store(pool, ReportKind::Balances, &doc).await;
}

/// Keeps how a run ended.
pub async fn record_run(pool: &PgPool, outcome: &Result<MintSummary, MintError>) {
    let doc = match outcome {
        Ok(summary) => LastRun {
            summary: Some(summary.clone()),
            error: None,
        },
        Err(e) => LastRun {
            summary: None,
            error: Some(e.to_string()),
        },
    };
    store(pool, ReportKind::MintRun, &doc).await;
}

/// The reconciliation report ([`drift::report`]), kept and counted in `/metrics` by kind of drift.
pub async fn reconcile(pool: &PgPool, chain: &Chain<'_>) -> Result<Report, MintError> {
    let report = drift::report(pool, chain).await?;
    for kind in Drift::KINDS {
        let n = report.drift.iter().filter(|d| d.kind() == kind).count();
        metrics::gauge!("refcodes_reconcile_drift", "kind" => kind).set(n as f64);
    }
    if !report.drift.is_empty() {
        tracing::warn!(
            drift = report.drift.len(),
            "the ledger and the chain disagree (see the admin page)"
        );
    }
    store(pool, ReportKind::Reconciliation, &report).await;
    Ok(report)
}

/// The admin page's chain card: what was last recorded of each kind.
pub async fn health(pool: &PgPool) -> sqlx::Result<ChainHealth> {
    let mut health = ChainHealth::default();
    for stored in db::chain_reports::all(pool).await? {
        let at = stored.recorded_at;
        match stored.kind.as_str() {
            "mint_run" => health.last_run = typed(at, stored.data),
            "balances" => health.balances = typed(at, stored.data),
            "reconciliation" => health.reconciliation = typed(at, stored.data),
            _ => {}
        }
    }
    Ok(health)
}

/// Runs [`reconcile`] every `RECONCILE_INTERVAL_SECS` (0 = never) until `stop` turns true; `None` without minting.
pub fn spawn_reconciler(
    pool: PgPool,
    service: Arc<MintService>,
    mut stop: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    let every = service.config().reconcile_interval_secs;
    if !service.is_configured() || every == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tokio::time::sleep(Duration::from_secs(every)) => {}
            }
            let outcome = async {
                let chain = Chain {
                    minter: service.minter().await?,
                    config: service.config(),
                };
                reconcile(&pool, &chain).await
            };
            tokio::select! {
                _ = stop.changed() => break,
                result = outcome => if let Err(e) = result {
                    tracing::warn!(error = %e, "scheduled reconciliation failed");
                },
            }
        }
    }))
}

fn typed<T: DeserializeOwned>(
    at: chrono::DateTime<chrono::Utc>,
    data: serde_json::Value,
) -> Option<Recorded<T>> {
    match serde_json::from_value(data) {
        Ok(doc) => Some(Recorded { at, doc }),
        Err(e) => {
            tracing::warn!(error = %e, "a stored chain report does not parse; it is left out");
            None
        }
    }
}

async fn store<T: Serialize>(pool: &PgPool, kind: ReportKind, doc: &T) {
    let stored = match serde_json::to_value(doc) {
        Ok(data) => db::chain_reports::record(pool, kind, &data).await,
        Err(e) => Err(sqlx::Error::Decode(Box::new(e))),
    };
    if let Err(e) = stored {
        tracing::warn!(error = %e, kind = kind.as_str(), "keeping a chain report failed");
    }
}

fn wei_f64(wei: U256) -> f64 {
    u128::try_from(wei).map_or(f64::MAX, |w| w as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn treasury(mode: Mode, balance: u64) -> Treasury {
        Treasury {
            mode,
            balance: U256::from(balance),
        }
    }

    #[test]
    fn gas_is_low_under_the_setting_only() {
        let low = balances(
            Address::ZERO,
            U256::from(9),
            10,
            treasury(Mode::Mint, 0),
            U256::ZERO,
        );
        let fine = balances(
            Address::ZERO,
            U256::from(10),
            10,
            treasury(Mode::Mint, 0),
            U256::ZERO,
        );
        assert!(low.gas_low && !fine.gas_low);
    }

    #[test]
    fn the_treasury_is_short_only_when_it_pays_and_holds_less_than_is_owed() {
        let owed = U256::from(100);
        assert!(
            balances(
                Address::ZERO,
                U256::MAX,
                0,
                treasury(Mode::Transfer, 99),
                owed
            )
            .treasury_short
        );
        assert!(
            !balances(
                Address::ZERO,
                U256::MAX,
                0,
                treasury(Mode::Transfer, 100),
                owed
            )
            .treasury_short
        );
        assert!(
            !balances(Address::ZERO, U256::MAX, 0, treasury(Mode::Mint, 0), owed).treasury_short
        );
        let doc = balances(
            Address::ZERO,
            U256::from(5),
            7,
            treasury(Mode::Transfer, 3),
            owed,
        );
        assert_eq!(
            (
                doc.mode.as_str(),
                doc.gas_wei.as_str(),
                doc.treasury_wei.as_str(),
                doc.owed_wei.as_str()
            ),
            ("transfer", "5", "3", "100")
        );
    }
}
