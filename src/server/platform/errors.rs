//! How `AppError` leaves the server: logged internals, a JSON body `{error, message}`, a 4xx/5xx status.
use crate::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Logs what went wrong and hands the caller only the generic `Internal` error.
pub fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what} failed");
    AppError::Internal
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        internal("database", err)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Json(json!({ "error": self.code(), "message": self.to_string() }));
        let mut response = (status, body).into_response();
        let retry_after = match self {
            AppError::TooManyAttempts { retry_minutes } => Some(u64::from(retry_minutes) * 60),
            AppError::RateLimited { retry_secs } => Some(u64::from(retry_secs)),
            _ => None,
        };
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
