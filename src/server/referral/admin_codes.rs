//! The admin's overview of every referral code, and blocking a code (or lifting the block), audit-logged.
//! A blocked code attributes nothing new, and what it attributed before earns nothing while the block stands:
//! rewards created meanwhile are held (`heldReason: codeBlocked`) and none of its rewards is minted. The block is
//! the admin's own flag: its owner can neither see it lifted by switching the code on nor lift it.
use crate::domain::admin::{CodePage, PAGE_SIZE};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::db::{self, audit_log::Entry};
use crate::server::referral::known_codes::KnownCodes;
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

/// Blocks a code (`blocked`) or lifts the block; an unknown code is [`AppError::UnknownCode`].
pub async fn set_blocked(
    pool: &PgPool,
    known: &KnownCodes,
    admin: &Me,
    code: &str,
    blocked: bool,
) -> Result<(), AppError> {
    let code = code.trim().to_uppercase();
    let mut tx = pool.begin().await?;
    let before = db::refcodes::set_blocked(&mut tx, &code, blocked)
        .await?
        .ok_or(AppError::UnknownCode)?;
    let state = |b: bool| if b { "blocked" } else { "unblocked" };
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: if blocked {
            "block_code"
        } else {
            "unblock_code"
        },
        target_ids: std::slice::from_ref(&code),
        before: json!({ code.as_str(): state(before) }),
        after: json!(state(blocked)),
        detail: json!({}),
    };
    db::audit_log::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    known.forget(&code).await;
    tracing::info!(
        admin = admin.user_id,
        code,
        blocked,
        "admin changed a code's block"
    );
    Ok(())
}
