//! The signed-in user of a page request, looked up before the page renders, so the page's shell (navigation,
//! guards, "invited by") shows it without waiting on a resource (`src/session.rs`). Only a page request that carries
//! a session cookie asks the database; server functions and the JSON API read the session themselves
//! (`src/api/mod.rs`).
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::accounts::auth;
use crate::server::platform::cookies;
use crate::server::platform::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// What the lookup found. Absent from the request's extensions: nobody is signed in.
#[derive(Debug, Clone)]
pub struct PageUser(pub Result<Option<Me>, AppError>);

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if crate::routes::is_page(req.method().as_str(), req.uri().path()) {
        if let Some(token) = cookies::read_session(req.headers(), state.config.secure_cookies()) {
            let user = auth::current_user(&state.pool, Some(&token)).await;
            req.extensions_mut().insert(PageUser(user));
        }
    }
    next.run(req).await
}
