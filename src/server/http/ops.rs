//! Liveness, Prometheus metrics and per-request measurements.
use crate::error::AppError;
use crate::server::{db, platform::state::AppState};
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
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    authorize_scrape(s.config.metrics_token.as_deref(), given)?;
    let text = s.metrics.render();
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// No token configured: closed. Otherwise `Bearer <METRICS_TOKEN>`.
fn authorize_scrape(token: Option<&str>, authorization: Option<&str>) -> Result<(), AppError> {
    let token = token.ok_or(AppError::MetricsDisabled)?;
    if super::bearer_matches(token, authorization) {
        Ok(())
    } else {
        Err(AppError::BadMetricsToken)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_closed_without_a_token_and_need_it_otherwise() {
        let token = "metrics-token-for-tests";
        let bearer = format!("Bearer {token}");
        assert_eq!(
            authorize_scrape(None, Some(&bearer)),
            Err(AppError::MetricsDisabled)
        );
        assert_eq!(
            authorize_scrape(Some(token), None),
            Err(AppError::BadMetricsToken)
        );
        assert_eq!(authorize_scrape(Some(token), Some(&bearer)), Ok(()));
    }
}
