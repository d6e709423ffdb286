//! The store and payment JSON endpoints (README, HTTP surface), thin over the services.
use super::{Admin, ClientAddr, CurrentUser, JsonBody, RefCookie, SessionToken};
use crate::domain::store::{CreatedOrder, LineInput, Product};
use crate::error::AppError;
use crate::server::accounts::auth;
use crate::server::payments::credit::{CreditGranted, Grantee};
use crate::server::payments::orders;
use crate::server::payments::{conductor, credit};
use crate::server::platform::rate_limit::Action;
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// A provider's notification is well under 2 KiB; anyone can post to the endpoint, so more is refused unread.
const WEBHOOK_BODY_LIMIT_KIB: u32 = 16;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/store/products", get(products))
        .route("/api/store/orders", post(create_order))
        .route("/api/store/payments/credit", post(pay_with_credit))
        .route("/api/membership/orders", post(create_membership_order))
        .route(
            "/api/payments/wayforpay",
            post(wayforpay).layer(DefaultBodyLimit::max(
                WEBHOOK_BODY_LIMIT_KIB as usize * 1024,
            )),
        )
        .route("/api/admin/credit-grants", post(grant_credit))
}

async fn products(State(s): State<AppState>) -> Result<Json<Vec<Product>>, AppError> {
    orders::catalog(&s.pool).await.map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderBody {
    items: Vec<LineInput>,
}

async fn create_order(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    SessionToken(token): SessionToken,
    RefCookie(ring_ref): RefCookie,
    JsonBody(body): JsonBody<OrderBody>,
) -> Result<(StatusCode, Json<CreatedOrder>), AppError> {
    // The limit first, as the server functions do: an anonymous flood spends the bucket too.
    s.limits.check(Action::Order, client)?;
    let me = auth::require_user(&s.pool, token.as_deref()).await?;
    let created =
        orders::create_store_order(&s.pool, &me, &body.items, ring_ref.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreditBody {
    order_reference: String,
}

async fn pay_with_credit(
    State(s): State<AppState>,
    CurrentUser(me): CurrentUser,
    JsonBody(body): JsonBody<CreditBody>,
) -> Result<Json<Value>, AppError> {
    credit::pay(&s.pool, &s.ledger, &me.user_id, &body.order_reference).await?;
    Ok(Json(json!({ "status": "paid" })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierBody {
    tier: String,
}

async fn create_membership_order(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    SessionToken(token): SessionToken,
    JsonBody(body): JsonBody<TierBody>,
) -> Result<(StatusCode, Json<CreatedOrder>), AppError> {
    // The limit first, as the server functions do: an anonymous flood spends the bucket too.
    s.limits.check(Action::Order, client)?;
    let me = auth::require_user(&s.pool, token.as_deref()).await?;
    let created = orders::create_membership_order(&s.pool, &me, &body.tier).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The provider's serviceUrl: the raw body, because the signature covers the values exactly as sent.
async fn wayforpay(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AppError> {
    s.limits.check(Action::Webhook, client)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge {
            max: WEBHOOK_BODY_LIMIT_KIB,
        },
        _ => AppError::BadRequest(e.body_text()),
    })?;
    conductor::handle(&s.pool, &s.config.payments, &s.ledger, &body)
        .await
        .map(Json)
}

/// `{userId, amount, currency?}` or `{email, amount, currency?}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GrantBody {
    user_id: Option<String>,
    email: Option<String>,
    amount: String,
    currency: Option<String>,
}

async fn grant_credit(
    State(s): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<GrantBody>,
) -> Result<Json<CreditGranted>, AppError> {
    let grantee = match (&body.user_id, &body.email) {
        (Some(id), None) => Grantee::UserId(id),
        (None, Some(email)) => Grantee::Email(email),
        _ => return Err(AppError::BadRequest("give either userId or email".into())),
    };
    let currency = body
        .currency
        .as_deref()
        .unwrap_or(crate::domain::membership::TIER_CURRENCY);
    credit::grant(&s.pool, &admin, grantee, &body.amount, currency)
        .await
        .map(Json)
}
