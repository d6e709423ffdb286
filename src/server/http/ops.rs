//! Liveness, Prometheus metrics and per-request measurements.
use crate::error::AppError;
use crate::server::{db, state::AppState};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

async fn healthz(State(s): State<AppState>) -> Response {
    match db::ping(&s.pool).await {
        Ok(()) => Json(json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "error", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

/// Prometheus text for a scraper holding `METRICS_TOKEN` (balances and reward counts are not for everyone).
async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let token = s
        .config
        .metrics_token
        .as_deref()
        .ok_or(AppError::MetricsDisabled)?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !super::bearer_matches(token, given) {
        return Err(AppError::BadMetricsToken);
    }
    let text = s.metrics.render();
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// Counts requests and their latency by method, route pattern (never the raw path: bounded labels) and status.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
