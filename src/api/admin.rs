//! The admin page's server functions; each checks the admin role itself (member → 403, anonymous → 401).
#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::domain::admin::AdminAction;
use crate::domain::admin::{AuditLine, CodePage, OrderToRefund, RewardFilter, RewardPage};
use crate::domain::chain_watch::ChainHealth;
use crate::domain::mint::MintSummary;
use crate::domain::reward::Clawback;
use crate::domain::reward::TxLinks;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[server]
pub async fn load_admin_rewards(
    #[server(default)] filter: RewardFilter,
    cursor: Option<String>,
) -> Result<RewardPage, AppError> {
    use crate::server::rewards::admin;
    ssr::admin(|s, _| async move {
        admin::page(&s.pool, &filter, cursor.as_deref(), &s.config.tx_links).await
    })
    .await
}

/// One reward's row buttons: `action` is approve, reject (with `reason`), void or retry.
#[server]
pub async fn admin_act(id: String, action: String, reason: Option<String>) -> Result<(), AppError> {
    use crate::server::rewards::admin;
    ssr::admin(|s, me| async move {
        let action = AdminAction::from_body(&action, reason)?;
        admin::act_one(&s.pool, &me, &id, &action).await
    })
    .await
}

/// What a bulk action did, for the page to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDone {
    pub moved: usize,
    pub skipped: usize,
}

/// The selected rows (`ids`), or — when `ids` is empty — everything matching `filter`.
#[server]
pub async fn admin_bulk(
    action: String,
    reason: Option<String>,
    #[server(default)] ids: Vec<String>,
    #[server(default)] filter: RewardFilter,
) -> Result<BulkDone, AppError> {
    use crate::server::rewards::admin::{act_on, Selection};
    ssr::admin(|s, me| async move {
        let action = AdminAction::from_body(&action, reason)?;
        let selection = match ids.is_empty() {
            true => Selection::Filter(filter),
            false => Selection::Ids(ids),
        };
        let acted = act_on(&s.pool, &me, &selection, &action).await?;
        Ok(BulkDone {
            moved: acted.moved.len(),
            skipped: acted.skipped,
        })
    })
    .await
}

/// The latest admin actions, optionally one action's (`approve`, `mint`, `grant_credit` …) or those touching
/// one record (a reward id, a user id, a code, a transaction hash).
#[server]
pub async fn load_audit(
    action: Option<String>,
    target: Option<String>,
) -> Result<Vec<AuditLine>, AppError> {
    use crate::server::accounts::audit;
    ssr::admin(|s, _| async move {
        let rows = audit::recent(&s.pool, action.as_deref(), target.as_deref()).await?;
        Ok(rows.iter().map(|row| row.line()).collect())
    })
    .await
}

/// The chain card: the last run, the balances read then, the last reconciliation.
#[server]
pub async fn load_chain_health() -> Result<ChainHealth, AppError> {
    use crate::server::mint::health;
    ssr::admin(|s, _| async move { Ok(health::health(&s.pool).await?) }).await
}

/// "Mint now": the cron's routine, with its summary (and where its transactions are shown).
#[server]
pub async fn admin_mint_now() -> Result<(MintSummary, TxLinks), AppError> {
    use crate::server::rewards::admin;
    ssr::admin(|s, me| async move {
        let summary = admin::mint_now(&s.pool, &s.ledger, &s.mint, &me).await?;
        Ok((summary, s.config.tx_links.clone()))
    })
    .await
}

/// Grants platform credit (a decimal amount in the store currency) to the account with `email`; answers the
/// new balance for the page to show.
#[server]
pub async fn admin_grant_credit(email: String, amount: String) -> Result<String, AppError> {
    use crate::server::payments::credit::{self, Grantee};
    ssr::admin(|s, me| async move {
        let currency = crate::domain::membership::TIER_CURRENCY;
        let granted =
            credit::grant(&s.pool, &me, Grantee::Email(&email), &amount, currency).await?;
        Ok(crate::domain::money::display(
            granted.balance,
            &granted.currency,
        ))
    })
    .await
}

#[server]
pub async fn load_admin_codes(
    search: Option<String>,
    cursor: Option<String>,
) -> Result<CodePage, AppError> {
    use crate::server::referral::admin_codes;
    ssr::admin(|s, _| async move {
        admin_codes::page(&s.pool, search.as_deref(), cursor.as_deref()).await
    })
    .await
}

#[server]
pub async fn admin_set_code_blocked(code: String, blocked: bool) -> Result<(), AppError> {
    use crate::server::referral::admin_codes;
    ssr::admin(|s, me| async move {
        admin_codes::set_blocked(&s.pool, &s.visits.known, &me, &code, blocked).await
    })
    .await
}

/// Clawbacks, newest first, with what was netted and what is left.
#[server]
pub async fn load_clawbacks() -> Result<Vec<Clawback>, AppError> {
    use crate::server::rewards::clawbacks;
    ssr::admin(|s, _| async move { clawbacks::all(&s.pool).await }).await
}

/// Forgives what is left of an open clawback, with a reason, audit-logged.
#[server]
pub async fn admin_waive_clawback(id: String, reason: String) -> Result<(), AppError> {
    use crate::server::rewards::clawbacks;
    ssr::admin(|s, me| async move { clawbacks::waive(&s.pool, &me, &id, &reason).await }).await
}

/// Paid orders to pay back (paid twice, or an upgrade that applied nothing), most recently marked first.
#[server]
pub async fn load_orders_to_refund() -> Result<Vec<OrderToRefund>, AppError> {
    use crate::server::payments::refunds;
    ssr::admin(|s, _| async move { refunds::due(&s.pool).await }).await
}

/// Refunds an order paid with credit (the credit, stock, settlements and the reward move back), audit-logged.
#[server]
pub async fn admin_refund_order(reference: String) -> Result<(), AppError> {
    use crate::server::payments::refunds;
    ssr::admin(|s, me| async move {
        refunds::refund_credit_order(&s.pool, &s.ledger, &me, &reference).await
    })
    .await
}
