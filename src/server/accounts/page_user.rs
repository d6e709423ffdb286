//! The signed-in user of a page request, looked up before the page renders, so the page's shell (navigation,
//! guards, "invited by") shows it without waiting on a resource (`src/session.rs`). Only a request for a page under
//! `/{locale}/` that carries a session cookie asks the database; server functions and the JSON API read the session
//! themselves (`src/api/mod.rs`).
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
    if shows_user(req.method().as_str(), req.uri().path()) {
        if let Some(token) = cookies::read_session(req.headers(), state.config.secure_cookies()) {
            let user = auth::current_user(&state.pool, Some(&token)).await;
            req.extensions_mut().insert(PageUser(user));
        }
    }
    next.run(req).await
}

/// Only pages under a locale show who is signed in (not `/`, the operations endpoints or a bare not-found page).
fn shows_user(method: &str, path: &str) -> bool {
    let locale = path.trim_start_matches('/').split('/').next().unwrap_or("");
    crate::routes::is_page(method, path) && crate::domain::locale::is_supported(locale)
}

#[cfg(test)]
mod tests {
    use super::shows_user;

    #[test]
    fn only_pages_under_a_locale_look_up_the_user() {
        assert!(shows_user("GET", "/uk/refcodes"));
        assert!(shows_user("GET", "/en"));
        assert!(!shows_user("GET", "/"));
        assert!(!shows_user("GET", "/healthz"));
        assert!(!shows_user("GET", "/metrics"));
        assert!(!shows_user("POST", "/en/signin"));
        assert!(!shows_user("GET", "/api/me"));
    }
}
