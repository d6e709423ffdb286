//! The referral JSON endpoints (README, HTTP surface): a member's codes and wallets, and visit tracking.
use super::{ClientAddr, CurrentUser, JsonBody};
use crate::domain::refcode::{EditedCode, Funnel, Refcode};
use crate::domain::wallet::{Wallet, WalletBoard};
use crate::error::AppError;
use crate::server::platform::rate_limit::Action;
use crate::server::platform::state::AppState;
use crate::server::{accounts::wallets, referral::codes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/refcodes", get(list).post(create))
        .route("/api/refcodes/track", post(track))
        .route("/api/refcodes/{code}", patch(update).delete(remove))
        .route("/api/me/wallets", get(list_wallets).post(prove_wallet))
        .route("/api/me/wallets/challenge", post(wallet_challenge))
        .route("/api/me/wallets/{address}", delete(remove_wallet))
}

/// A code with its funnel, as `GET /api/refcodes` lists it.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    refcode: Refcode,
    funnel: Funnel,
}

async fn list(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> Result<Json<Vec<Listed>>, AppError> {
    let codes = codes::list(&s.pool, &me.user_id).await?;
    Ok(Json(
        codes
            .into_iter()
            .map(|(refcode, funnel)| Listed { refcode, funnel })
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    code: Option<String>,
    wallet: String,
    label: Option<String>,
}

async fn create(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<Response, AppError> {
    let input = codes::NewCode {
        code: body.code.as_deref(),
        wallet: &body.wallet,
        label: body.label.as_deref(),
    };
    let created = codes::create(&s.pool, &s.config, &s.visits.known, &me.user_id, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    wallet: Option<String>,
    label: Option<String>,
    active: Option<bool>,
}

async fn update(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<EditedCode>, AppError> {
    let change = codes::CodeChange {
        wallet: body.wallet.as_deref(),
        label: body.label.as_deref(),
        active: body.active,
    };
    codes::update(&s.pool, &s.visits.known, &me.user_id, &code, change)
        .await
        .map(Json)
}

async fn remove(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(code): Path<String>,
) -> Result<StatusCode, AppError> {
    codes::remove(&s.pool, &s.visits.known, &me.user_id, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct TrackBody {
    code: String,
}

/// Anyone may count a visit; the answer comes from memory (see `referral/visits.rs`).
async fn track(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(body): JsonBody<TrackBody>,
) -> Result<StatusCode, AppError> {
    s.limits.check(Action::Track, client)?;
    s.visits.track(&s.pool, client, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_wallets(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> Result<Json<WalletBoard>, AppError> {
    wallets::board(&s.pool, &me.user_id).await.map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeBody {
    address: String,
}

async fn wallet_challenge(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    JsonBody(body): JsonBody<ChallengeBody>,
) -> Result<Response, AppError> {
    let issued = wallets::challenge(&s.pool, &s.config, &me, &body.address).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofBody {
    message: String,
    signature: String,
}

#[derive(Serialize)]
struct Proven {
    wallets: Vec<Wallet>,
}

async fn prove_wallet(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    JsonBody(body): JsonBody<ProofBody>,
) -> Result<Response, AppError> {
    let wallets = wallets::prove(&s.pool, &s.config, &me, &body.message, &body.signature).await?;
    Ok((StatusCode::CREATED, Json(Proven { wallets })).into_response())
}

async fn remove_wallet(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(address): Path<String>,
) -> Result<StatusCode, AppError> {
    wallets::remove(&s.pool, &me.user_id, &address).await?;
    Ok(StatusCode::NO_CONTENT)
}
