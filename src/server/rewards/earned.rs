//! The rewards a member earned as a referrer, a page at a time, with their clawbacks (the `/refcodes` page).
use crate::domain::cursor::{cut_page, Cursor};
use crate::domain::reward::{EarnedRewards, TxLinks, REWARDS_PAGE};
use crate::error::AppError;
use crate::server::db;
use sqlx::PgPool;

/// One page of the rewards a member earned as a referrer, newest first; `cursor` is where the previous page ended.
/// The first page carries the member's clawbacks.
pub async fn earned(
    pool: &PgPool,
    referrer_user_id: &str,
    cursor: Option<&str>,
    tx_links: &TxLinks,
) -> Result<EarnedRewards, AppError> {
    let after = Cursor::from_param(cursor)?;
    let limit = REWARDS_PAGE as i64 + 1;
    let mut rewards =
        db::rewards::for_referrer(pool, referrer_user_id, after.as_ref(), limit).await?;
    let next_cursor = cut_page(&mut rewards, REWARDS_PAGE, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    let clawbacks = match after {
        None => crate::server::rewards::clawbacks::of_member(pool, referrer_user_id).await?,
        Some(_) => Vec::new(),
    };
    Ok(EarnedRewards {
        rewards,
        clawbacks,
        tx_links: tx_links.clone(),
        next_cursor,
    })
}
