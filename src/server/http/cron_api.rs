//! `GET /api/cron/refcodes-mint` (a scheduler with `Authorization: Bearer <CRON_SECRET>`) and the admin's
//! ledger↔chain reconciliation report `GET /api/admin/reconciliation` and the chain card's data
//! `GET /api/admin/chain-health`.
use super::Admin;
use crate::domain::chain_watch::ChainHealth;
use crate::domain::mint::MintSummary;
use crate::error::AppError;

use crate::server::mint::drift::Report;
use crate::server::mint::{self, health, Chain};
use crate::server::platform::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/cron/refcodes-mint", get(mint))
        .route("/api/admin/reconciliation", get(reconciliation))
        .route("/api/admin/chain-health", get(chain_health))
}

async fn mint(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<MintSummary>, AppError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let secret = s
        .config
        .cron_secret
        .as_deref()
        .ok_or(AppError::CronDisabled)?;
    if !super::bearer_matches(secret, given) {
        return Err(AppError::BadCronSecret);
    }
    Ok(Json(mint::run(&s.pool, &s.ledger, &s.mint).await?))
}

async fn chain_health(State(s): State<AppState>, _: Admin) -> Result<Json<ChainHealth>, AppError> {
    Ok(Json(health::health(&s.pool).await?))
}

async fn reconciliation(State(s): State<AppState>, _: Admin) -> Result<Json<Report>, AppError> {
    let chain = Chain {
        minter: s.mint.minter().await?,
        config: s.mint.config(),
    };
    Ok(Json(health::reconcile(&s.pool, &chain).await?))
}
