//! Attribution guards (seed: `attribution-service`). At sign-up: the first-touch `ring_ref` counts when it
//! names an active code of someone else.
use super::db;
use crate::domain::refcode::normalize_code;
use crate::domain::user::ReferredBy;
use crate::error::AppError;
use sqlx::PgPool;

/// The `referredBy` of a new account. `signed_in` is whoever is signed in on the device that signs up:
/// a member opening their own link and then creating an account refers no one.
pub async fn for_signup(
    pool: &PgPool,
    ring_ref: Option<&str>,
    signed_in: Option<&str>,
) -> Result<Option<ReferredBy>, AppError> {
    let Some(code) = ring_ref.and_then(|raw| normalize_code(raw).ok()) else {
        return Ok(None);
    };
    let Some(owner) = db::refcodes::active_owner(pool, &code).await? else {
        return Ok(None);
    };
    if signed_in == Some(owner.as_str()) {
        tracing::info!(
            code,
            "signup referral ignored: the code's owner is signing up"
        );
        return Ok(None);
    }
    Ok(Some(ReferredBy {
        code,
        user_id: owner,
    }))
}
