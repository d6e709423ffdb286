//! The admin's reward ledger: browse with filters, act on one reward, a selection or a whole filter, export.
//! Every action is one transaction with its audit entry; only moves an admin may start succeed, and only
//! legal ones (`db::rewards::move_status_from`).
use crate::domain::admin::{AdminAction, RewardFilter, RewardPage, BULK_CAP, PAGE_SIZE};
use crate::domain::cursor::{cut_page, Cursor};
use crate::domain::mint::MintSummary;
use crate::domain::reward::{RewardStatus, TxLinks};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::db::{self, audit_log::Entry, rewards::RewardPatch};
use crate::server::mint::{self, MintService};
use crate::server::rewards::ledger::Ledger;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sqlx::PgPool;

pub async fn page(
    pool: &PgPool,
    filter: &RewardFilter,
    cursor: Option<&str>,
    tx_links: &TxLinks,
) -> Result<RewardPage, AppError> {
    let after = Cursor::from_param(cursor)?;
    let limit = i64::from(PAGE_SIZE);
    let mut rows = db::reward_admin::page(pool, filter, after.as_ref(), limit + 1).await?;
    let next_cursor = cut_page(&mut rows, PAGE_SIZE as usize, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    let totals = db::reward_admin::totals(pool, filter).await?;
    Ok(RewardPage {
        rows,
        next_cursor,
        totals,
        tx_links: tx_links.clone(),
    })
}

/// What an action did to a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acted {
    pub selected: usize,
    pub moved: Vec<String>,
    /// Rewards the action does not apply to in their status (or that do not exist).
    pub skipped: usize,
}

pub async fn act(
    pool: &PgPool,
    admin: &Me,
    ids: &[String],
    action: &AdminAction,
) -> Result<Acted, AppError> {
    if ids.len() > BULK_CAP {
        return Err(AppError::TooManySelected {
            count: ids.len() as u64,
            max: BULK_CAP as u32,
        });
    }
    let reason = action.reason()?;
    let (from, to) = action.moves();
    let mut tx = pool.begin().await?;
    let before = db::reward_admin::statuses(&mut *tx, ids).await?;
    let patch = patch(admin, action, reason.clone());
    let moved = db::rewards::move_status_from(&mut tx, ids, from, &patch).await?;
    let before: Map<String, Value> = before
        .into_iter()
        .filter(|(id, _)| moved.contains(id))
        .map(|(id, status)| (id, json!(status)))
        .collect();
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: action.name(),
        target_ids: &moved,
        before: Value::Object(before),
        after: json!(to.as_str()),
        detail: json!({ "reason": reason, "selected": ids.len() }),
    };
    db::audit_log::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(
        admin = admin.user_id,
        action = action.name(),
        moved = moved.len(),
        selected = ids.len(),
        "admin reward action"
    );
    Ok(Acted {
        selected: ids.len(),
        skipped: ids.len() - moved.len(),
        moved,
    })
}

fn patch(admin: &Me, action: &AdminAction, reason: Option<String>) -> RewardPatch {
    let (by, at) = (admin.email.clone(), chrono::Utc::now());
    match action {
        AdminAction::Approve => RewardPatch::Approved { by, at },
        AdminAction::Reject { .. } => RewardPatch::Rejected {
            reason: reason.unwrap_or_default(),
            by,
            at,
        },
        AdminAction::Void => RewardPatch::Voided {
            why: "voided by an admin".to_string(),
            by: Some(by),
            at,
        },
        AdminAction::Retry => RewardPatch::Retried { by, at },
    }
}

/// One reward: an illegal move is a clear error naming both statuses.
pub async fn act_one(
    pool: &PgPool,
    admin: &Me,
    id: &str,
    action: &AdminAction,
) -> Result<(), AppError> {
    let ids = [id.to_string()];
    let acted = act(pool, admin, &ids, action).await?;
    if !acted.moved.is_empty() {
        return Ok(());
    }
    let current = db::reward_admin::statuses(pool, &ids).await?;
    let (_, from) = current.into_iter().next().ok_or(AppError::NotFound)?;
    let (_, to) = action.moves();
    if to == RewardStatus::Approved && db::rewards::needs_price(pool, id).await? == Some(true) {
        return Err(AppError::PriceNeeded);
    }
    Err(AppError::IllegalTransition {
        from: from.as_str().to_string(),
        to: to.as_str().to_string(),
    })
}

/// What a bulk action applies to: the rewards picked, or every reward the filter matches.
pub enum Selection {
    Ids(Vec<String>),
    Filter(RewardFilter),
}

/// A bulk action, whichever surface asked for it.
pub async fn act_on(
    pool: &PgPool,
    admin: &Me,
    selection: &Selection,
    action: &AdminAction,
) -> Result<Acted, AppError> {
    match selection {
        Selection::Ids(ids) => act(pool, admin, ids, action).await,
        Selection::Filter(filter) => act_on_filter(pool, admin, filter, action).await,
    }
}

/// Everything matching `filter` (at most [`BULK_CAP`] rewards).
async fn act_on_filter(
    pool: &PgPool,
    admin: &Me,
    filter: &RewardFilter,
    action: &AdminAction,
) -> Result<Acted, AppError> {
    let cap = BULK_CAP as i64;
    let rows = db::reward_admin::page(pool, filter, None, cap + 1).await?;
    if rows.len() as i64 > cap {
        let count: i64 = db::reward_admin::totals(pool, filter)
            .await?
            .iter()
            .map(|t| t.count)
            .sum();
        return Err(AppError::TooManySelected {
            count: count as u64,
            max: BULK_CAP as u32,
        });
    }
    let ids: Vec<String> = rows.into_iter().map(|r| r.id).collect();
    act(pool, admin, &ids, action).await
}

/// "Mint now": the cron's routine (same lock, same steps), run for an admin; the run is audit-logged with
/// its summary.
pub async fn mint_now(
    pool: &PgPool,
    ledger: &Ledger,
    mint: &MintService,
    admin: &Me,
) -> Result<MintSummary, AppError> {
    let summary = mint::run(pool, ledger, mint).await?;
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: "mint",
        target_ids: &summary.tx_hashes,
        before: Value::Null,
        after: json!("minted"),
        detail: serde_json::to_value(&summary).unwrap_or(Value::Null),
    };
    db::audit_log::record(pool, &entry).await?;
    tracing::info!(
        admin = admin.user_id,
        minted = summary.minted,
        "admin mint run"
    );
    Ok(summary)
}
