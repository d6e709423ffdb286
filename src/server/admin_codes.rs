//! The admin's overview of every referral code, and turning a code off (or on again), audit-logged.
//! An inactive code attributes nothing new: visits, signups and orders with it earn no reward.
use super::db::{self, audit_log::Entry};
use crate::domain::admin::{CodePage, PAGE_SIZE};
use crate::domain::user::Me;
use crate::error::AppError;
use serde_json::json;
use sqlx::PgPool;

pub async fn page(
    pool: &PgPool,
    search: Option<&str>,
    cursor: Option<&str>,
) -> Result<CodePage, AppError> {
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let cursor = cursor.filter(|c| !c.is_empty());
    let limit = i64::from(PAGE_SIZE);
    let mut codes = db::refcodes::admin_page(pool, search, cursor, limit + 1).await?;
    let more = codes.len() > PAGE_SIZE as usize;
    codes.truncate(PAGE_SIZE as usize);
    let next_cursor = more.then(|| codes.last().map(|c| c.code.clone())).flatten();
    Ok(CodePage { codes, next_cursor })
}

/// Sets a code's `active`; an unknown code is [`AppError::UnknownCode`].
pub async fn set_active(
    pool: &PgPool,
    admin: &Me,
    code: &str,
    active: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let before = db::refcodes::set_active(&mut tx, code.trim(), active)
        .await?
        .ok_or(AppError::UnknownCode)?;
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: if active {
            "activate_code"
        } else {
            "deactivate_code"
        },
        target_ids: &[code.trim().to_uppercase()],
        before: json!({ code.trim().to_uppercase(): if before { "active" } else { "inactive" } }),
        after: json!(if active { "active" } else { "inactive" }),
        detail: json!({}),
    };
    db::audit_log::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(admin = admin.user_id, code, active, "admin changed a code");
    Ok(())
}
