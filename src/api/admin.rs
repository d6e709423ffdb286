//! The admin page's server functions; each checks the admin role itself (member → 403, anonymous → 401).
#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::domain::admin::AdminAction;
use crate::domain::admin::{RewardFilter, RewardPage};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
async fn admin(s: &crate::server::state::AppState) -> Result<crate::domain::user::Me, AppError> {
    ssr::respond(crate::server::auth::require_admin(&s.pool, ssr::session_token().as_deref()).await)
}

#[server]
pub async fn load_admin_rewards(
    filter: RewardFilter,
    cursor: Option<String>,
) -> Result<RewardPage, AppError> {
    let s = ssr::state()?;
    admin(&s).await?;
    ssr::respond(crate::server::admin_rewards::page(&s.pool, &filter, cursor.as_deref()).await)
}

#[cfg(feature = "ssr")]
fn parse_action(action: &str, reason: Option<String>) -> Result<AdminAction, AppError> {
    AdminAction::parse(action, reason)
        .ok_or_else(|| AppError::BadRequest(format!("unknown action {action:?}")))
}

/// One reward's row buttons: `action` is approve, reject (with `reason`), void or retry.
#[server]
pub async fn admin_act(id: String, action: String, reason: Option<String>) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = admin(&s).await?;
    let action = ssr::respond(parse_action(&action, reason))?;
    ssr::respond(crate::server::admin_rewards::act_one(&s.pool, &me, &id, &action).await)
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
    ids: Vec<String>,
    filter: RewardFilter,
) -> Result<BulkDone, AppError> {
    let s = ssr::state()?;
    let me = admin(&s).await?;
    let action = ssr::respond(parse_action(&action, reason))?;
    let acted = if ids.is_empty() {
        crate::server::admin_rewards::act_on_filter(&s.pool, &me, &filter, &action).await
    } else {
        crate::server::admin_rewards::act(&s.pool, &me, &ids, &action).await
    };
    let acted = ssr::respond(acted)?;
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

#[server]
pub async fn load_audit() -> Result<Vec<AuditLine>, AppError> {
    let s = ssr::state()?;
    admin(&s).await?;
    let rows = ssr::respond(
        crate::server::db::audit_log::list(&s.pool, None, None, 20)
            .await
            .map_err(AppError::from),
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let d = &r.data;
            let text = |k: &str| {
                d.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
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
        })
        .collect())
}
