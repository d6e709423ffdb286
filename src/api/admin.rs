//! The admin page's server functions; each checks the admin role itself (member → 403, anonymous → 401).
#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::domain::admin::AdminAction;
use crate::domain::admin::{CodePage, OrderToRefund, RewardFilter, RewardPage};
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
    let s = ssr::state()?;
    ssr::admin(&s).await?;
    ssr::respond(
        crate::server::rewards::admin::page(
            &s.pool,
            &filter,
            cursor.as_deref(),
            &s.config.tx_links,
        )
        .await,
    )
}

/// One reward's row buttons: `action` is approve, reject (with `reason`), void or retry.
#[server]
pub async fn admin_act(id: String, action: String, reason: Option<String>) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    let action = ssr::respond(AdminAction::from_body(&action, reason))?;
    ssr::respond(crate::server::rewards::admin::act_one(&s.pool, &me, &id, &action).await)
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
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    let action = ssr::respond(AdminAction::from_body(&action, reason))?;
    use crate::server::rewards::admin::{act_on, Selection};
    let selection = match ids.is_empty() {
        true => Selection::Filter(filter),
        false => Selection::Ids(ids),
    };
    let acted = ssr::respond(act_on(&s.pool, &me, &selection, &action).await)?;
    Ok(BulkDone {
        moved: acted.moved.len(),
        skipped: acted.skipped,
    })
}

/// The latest admin actions, as the audit log keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub count: usize,
    pub after: String,
    pub reason: Option<String>,
}

/// The latest admin actions, optionally one action's (`approve`, `mint`, `grant_credit` …) or those touching
/// one record (a reward id, a user id, a code, a transaction hash).
#[server]
pub async fn load_audit(
    action: Option<String>,
    target: Option<String>,
) -> Result<Vec<AuditLine>, AppError> {
    let s = ssr::state()?;
    ssr::admin(&s).await?;
    let rows =
        crate::server::accounts::audit::recent(&s.pool, action.as_deref(), target.as_deref()).await;
    Ok(ssr::respond(rows)?
        .iter()
        .map(AuditLine::from_row)
        .collect())
}

#[cfg(feature = "ssr")]
impl AuditLine {
    fn from_row(r: &crate::server::db::audit_log::AuditRow) -> AuditLine {
        let d = &r.data;
        let text = |k: &str| match d.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        AuditLine {
            at: r.created_at,
            actor: text("actorEmail"),
            action: text("action"),
            count: d
                .get("targetIds")
                .and_then(|v| v.as_array())
                .map_or(0, Vec::len),
            after: text("after"),
            reason: d
                .pointer("/detail/reason")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        }
    }
}

/// The chain card: the last run, the balances read then, the last reconciliation.
#[server]
pub async fn load_chain_health() -> Result<ChainHealth, AppError> {
    let s = ssr::state()?;
    ssr::admin(&s).await?;
    Ok(crate::server::mint::health::health(&s.pool).await?)
}

/// "Mint now": the cron's routine, with its summary (and where its transactions are shown).
#[server]
pub async fn admin_mint_now() -> Result<(MintSummary, TxLinks), AppError> {
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    let summary = crate::server::rewards::admin::mint_now(&s.pool, &s.ledger, &s.mint, &me).await;
    Ok((ssr::respond(summary)?, s.config.tx_links.clone()))
}

/// Grants platform credit (a decimal amount in the store currency) to the account with `email`; answers the
/// new balance for the page to show.
#[server]
pub async fn admin_grant_credit(email: String, amount: String) -> Result<String, AppError> {
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    let currency = crate::domain::membership::TIER_CURRENCY;
    let granted =
        crate::server::payments::credit::grant_by_email(&s.pool, &me, &email, &amount, currency)
            .await;
    let granted = ssr::respond(granted)?;
    Ok(crate::domain::money::display(
        granted.balance,
        &granted.currency,
    ))
}

#[server]
pub async fn load_admin_codes(
    search: Option<String>,
    cursor: Option<String>,
) -> Result<CodePage, AppError> {
    let s = ssr::state()?;
    ssr::admin(&s).await?;
    ssr::respond(
        crate::server::referral::admin_codes::page(&s.pool, search.as_deref(), cursor.as_deref())
            .await,
    )
}

#[server]
pub async fn admin_set_code_blocked(code: String, blocked: bool) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    ssr::respond(
        crate::server::referral::admin_codes::set_blocked(
            &s.pool,
            &s.visits.known,
            &me,
            &code,
            blocked,
        )
        .await,
    )
}

/// Clawbacks, newest first, with what was netted and what is left.
#[server]
pub async fn load_clawbacks() -> Result<Vec<Clawback>, AppError> {
    let s = ssr::state()?;
    ssr::admin(&s).await?;
    ssr::respond(crate::server::rewards::clawbacks::all(&s.pool).await)
}

/// Forgives what is left of an open clawback, with a reason, audit-logged.
#[server]
pub async fn admin_waive_clawback(id: String, reason: String) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    ssr::respond(crate::server::rewards::clawbacks::waive(&s.pool, &me, &id, &reason).await)
}

/// Paid orders to pay back (paid twice, or an upgrade that applied nothing), most recently marked first.
#[server]
pub async fn load_orders_to_refund() -> Result<Vec<OrderToRefund>, AppError> {
    let s = ssr::state()?;
    ssr::admin(&s).await?;
    ssr::respond(crate::server::payments::refunds::due(&s.pool).await)
}

/// Refunds an order paid with credit (the credit, stock, settlements and the reward move back), audit-logged.
#[server]
pub async fn admin_refund_order(reference: String) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = ssr::admin(&s).await?;
    ssr::respond(
        crate::server::payments::refunds::refund_credit_order(&s.pool, &s.ledger, &me, &reference)
            .await,
    )
}
