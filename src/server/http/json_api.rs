use super::{ClientAddr, CurrentUser, JsonBody, RefCookie, SessionToken};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::accounts::auth::{self, Session};
use crate::server::platform::cookies;
use crate::server::platform::rate_limit::Action;
use crate::server::platform::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/signup", post(sign_up))
        .route("/api/auth/login", post(sign_in))
        .route("/api/auth/logout", post(sign_out))
        .route("/api/me", get(me))
}

#[derive(Deserialize)]
struct EmailPassword {
    email: String,
    password: String,
}

async fn sign_up(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    SessionToken(token): SessionToken,
    RefCookie(ring_ref): RefCookie,
    JsonBody(body): JsonBody<EmailPassword>,
) -> Result<Response, AppError> {
    s.limits.check(Action::SignUp, client)?;
    let context = auth::SignUpContext {
        ring_ref: ring_ref.as_deref(),
        session_token: token.as_deref(),
    };
    let session = auth::sign_up(&s.pool, &s.config, &body.email, &body.password, context).await?;
    Ok(with_session(&s, StatusCode::CREATED, session))
}

async fn sign_in(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(body): JsonBody<EmailPassword>,
) -> Result<Response, AppError> {
    s.limits.check(Action::SignIn, client)?;
    let session = auth::sign_in(&s.pool, &s.config, client, &body.email, &body.password).await?;
    Ok(with_session(&s, StatusCode::OK, session))
}

async fn sign_out(
    State(s): State<AppState>,
    SessionToken(token): SessionToken,
) -> Result<Response, AppError> {
    auth::require_user(&s.pool, token.as_deref()).await?;
    if let Some(token) = token {
        auth::sign_out(&s.pool, &token).await?;
    }
    let cookie = cookies::set_session(None, 0, s.config.secure_cookies());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

async fn me(CurrentUser(me): CurrentUser) -> Json<Me> {
    Json(me)
}

fn with_session(s: &AppState, status: StatusCode, session: Session) -> Response {
    let max_age = u64::from(s.config.session_days) * 86_400;
    let cookie = cookies::set_session(Some(&session.token), max_age, s.config.secure_cookies());
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "userId": session.user_id })),
    )
        .into_response()
}
