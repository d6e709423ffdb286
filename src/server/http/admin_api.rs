//! The admin JSON endpoints: the reward ledger, actions on rewards, "Mint now", the CSV export, refunds,
//! clawbacks, the codes overview and the audit log.
//! Every handler takes the `Admin` extractor (anonymous → 401, member → 403).
use super::{Admin, JsonBody, QueryParams};
use crate::domain::admin::{AdminAction, CodePage, RewardFilter, RewardPage};
use crate::domain::mint::MintSummary;
use crate::domain::reward::Clawback;
use crate::error::AppError;
use crate::server::db::audit_log::AuditRow;
use crate::server::payments::refunds;
use crate::server::platform::state::AppState;
use crate::server::referral::admin_codes;
use crate::server::rewards::admin::{self, Acted, Selection};
use crate::server::{accounts::audit, rewards::clawbacks, rewards::export};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/rewards", get(ledger))
        .route("/api/admin/rewards.csv", get(export))
        .route("/api/admin/rewards/bulk", post(bulk))
        .route("/api/admin/rewards/{id}/{action}", post(act_one))
        .route("/api/admin/audit", get(audit))
        .route("/api/admin/mint", post(mint_now))
        .route("/api/admin/orders/{reference}/refund", post(refund_order))
        .route("/api/admin/clawbacks", get(clawback_list))
        .route("/api/admin/clawbacks/{id}/waive", post(waive_clawback))
        .route("/api/admin/refcodes", get(codes))
        .route(
            "/api/admin/refcodes/{code}/{action}",
            post(set_code_blocked),
        )
}

#[derive(Deserialize)]
struct LedgerQuery {
    #[serde(flatten)]
    filter: RewardFilter,
    cursor: Option<String>,
}

async fn ledger(
    State(s): State<AppState>,
    _: Admin,
    QueryParams(q): QueryParams<LedgerQuery>,
) -> Result<Json<RewardPage>, AppError> {
    admin::page(&s.pool, &q.filter, q.cursor.as_deref(), &s.config.tx_links)
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct ReasonBody {
    reason: Option<String>,
}

async fn act_one(
    State(s): State<AppState>,
    Admin(admin): Admin,
    Path((id, name)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    // The body is optional: only a rejection carries one (`{reason}`).
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<ReasonBody>(&body)
            .map_err(|e| {
                AppError::BadRequest(format!("the body is not {{\"reason\": \"…\"}}: {e}"))
            })?
            .reason
    };
    let action = AdminAction::parse(&name, reason).ok_or(AppError::NotFound)?;
    admin::act_one(&s.pool, &admin, &id, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{action, reason?, ids}` for a selection, or `{action, reason?, filter}` for everything matching.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    action: String,
    reason: Option<String>,
    ids: Option<Vec<String>>,
    filter: Option<RewardFilter>,
}

async fn bulk(
    State(s): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<BulkBody>,
) -> Result<Json<Acted>, AppError> {
    let act = AdminAction::from_body(&body.action, body.reason)?;
    let selection = match (body.ids, body.filter) {
        (Some(ids), None) => Selection::Ids(ids),
        (None, Some(filter)) => Selection::Filter(filter),
        _ => return Err(AppError::BadRequest("give either ids or filter".into())),
    };
    admin::act_on(&s.pool, &admin, &selection, &act)
        .await
        .map(Json)
}

async fn export(
    State(s): State<AppState>,
    _: Admin,
    QueryParams(filter): QueryParams<RewardFilter>,
) -> Result<Response, AppError> {
    let body = Body::from_stream(export::stream(s.pool.clone(), filter));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"referral-rewards.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

async fn mint_now(
    State(s): State<AppState>,
    Admin(admin): Admin,
) -> Result<Json<MintSummary>, AppError> {
    admin::mint_now(&s.pool, &s.ledger, &s.mint, &admin)
        .await
        .map(Json)
}

async fn refund_order(
    State(s): State<AppState>,
    Admin(admin): Admin,
    Path(reference): Path<String>,
) -> Result<StatusCode, AppError> {
    refunds::refund_credit_order(&s.pool, &s.ledger, &admin, &reference).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clawback_list(
    State(s): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<Clawback>>, AppError> {
    clawbacks::all(&s.pool).await.map(Json)
}

#[derive(Deserialize)]
struct WaiveBody {
    reason: String,
}

async fn waive_clawback(
    State(s): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<WaiveBody>,
) -> Result<StatusCode, AppError> {
    clawbacks::waive(&s.pool, &admin, &id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct CodesQuery {
    search: Option<String>,
    cursor: Option<String>,
}

async fn codes(
    State(s): State<AppState>,
    _: Admin,
    QueryParams(q): QueryParams<CodesQuery>,
) -> Result<Json<CodePage>, AppError> {
    admin_codes::page(&s.pool, q.search.as_deref(), q.cursor.as_deref())
        .await
        .map(Json)
}

async fn set_code_blocked(
    State(s): State<AppState>,
    Admin(admin): Admin,
    Path((code, action)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let blocked = match action.as_str() {
        "block" => true,
        "unblock" => false,
        _ => return Err(AppError::NotFound),
    };
    admin_codes::set_blocked(&s.pool, &s.visits.known, &admin, &code, blocked).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    target: Option<String>,
}

async fn audit(
    State(s): State<AppState>,
    _: Admin,
    QueryParams(q): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditRow>>, AppError> {
    Ok(Json(
        audit::recent(&s.pool, q.action.as_deref(), q.target.as_deref()).await?,
    ))
}
