//! `GET /api/cron/refcodes-mint` (a scheduler with `Authorization: Bearer <CRON_SECRET>`) and the admin's
//! ledger↔chain reconciliation report `GET /api/admin/reconciliation`.
use super::SessionToken;
use crate::domain::mint::MintSummary;
use crate::error::AppError;
use crate::server::auth;
use crate::server::minter::{self, Chain};
use crate::server::reconcile::{self, Report};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/cron/refcodes-mint", get(mint))
        .route("/api/admin/reconciliation", get(reconciliation))
}

async fn mint(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<MintSummary>, AppError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    authorize(s.config.cron_secret.as_deref(), given)?;
    Ok(Json(minter::run(&s.pool, &s.ledger, &s.mint).await?))
}

/// No secret configured: closed. Otherwise `Bearer <secret>`, compared in constant time (over SHA-256 digests,
/// so not even the length leaks).
pub fn authorize(secret: Option<&str>, authorization: Option<&str>) -> Result<(), AppError> {
    let secret = secret.ok_or(AppError::CronDisabled)?;
    let given = authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(AppError::BadCronSecret)?;
    let digest = |s: &str| Sha256::digest(s.trim().as_bytes());
    if bool::from(digest(given).ct_eq(&digest(secret))) {
        Ok(())
    } else {
        Err(AppError::BadCronSecret)
    }
}

async fn reconciliation(
    State(s): State<AppState>,
    SessionToken(token): SessionToken,
) -> Result<Json<Report>, AppError> {
    auth::require_admin(&s.pool, token.as_deref()).await?;
    let chain = Chain {
        minter: s.mint.minter().await?,
        config: s.mint.config(),
    };
    Ok(Json(reconcile::report(&s.pool, &chain).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "cron-secret-for-tests";

    #[test]
    fn the_cron_secret_is_required_and_checked() {
        assert_eq!(
            authorize(None, Some("Bearer x")),
            Err(AppError::CronDisabled)
        );
        assert_eq!(authorize(Some(SECRET), None), Err(AppError::BadCronSecret));
        assert_eq!(
            authorize(Some(SECRET), Some(SECRET)),
            Err(AppError::BadCronSecret)
        );
        assert_eq!(
            authorize(Some(SECRET), Some("Bearer cron-secret-for-test")),
            Err(AppError::BadCronSecret)
        );
        assert_eq!(
            authorize(Some(SECRET), Some(&format!("Bearer {SECRET}"))),
            Ok(())
        );
    }
}
