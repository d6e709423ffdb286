#[cfg(feature = "ssr")]
use super::ssr;
use crate::domain::user::Me;
use crate::error::AppError;
use leptos::prelude::*;

/// This request's shell: the brand from the config, the user and the live referral its middleware resolved
/// (`server/accounts/page_user.rs`, `server/referral/capture.rs`).
#[cfg(feature = "ssr")]
pub fn shell() -> crate::domain::site::Shell {
    use crate::domain::refcode::Invite;
    use crate::domain::site::{Frame, Shell};
    use crate::server::platform::state::AppState;
    let parts = use_context::<http::request::Parts>();
    let extensions = parts.as_ref().map(|p| &p.extensions);
    Shell {
        user: ssr::page_user(extensions),
        frame: Frame {
            brand_name: use_context::<AppState>()
                .map(|s| s.config.brand_name.clone())
                .unwrap_or_default(),
            invite: extensions.and_then(|e| e.get::<Invite>().cloned()),
        },
    }
}

#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::server::accounts::auth;
    ssr::anyone(|s, token| async move { auth::current_user(&s.pool, token.as_deref()).await }).await
}

#[server]
pub async fn sign_up(
    email: String,
    password: String,
    locale: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{accounts::auth, platform::rate_limit::Action};
    ssr::limited(Action::SignUp)
        .anyone(|s, token| async move {
            let ring_ref = ssr::cookie(crate::domain::refcode::REF_COOKIE);
            let context = auth::SignUpContext {
                ring_ref: ring_ref.as_deref(),
                session_token: token.as_deref(),
            };
            let session = auth::sign_up(&s.pool, &s.config, &email, &password, context).await?;
            enter(&s, &session.token, &locale, next.as_deref());
            Ok(())
        })
        .await
}

#[server]
pub async fn sign_in(
    email: String,
    password: String,
    locale: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{accounts::auth, platform::rate_limit::Action};
    ssr::limited(Action::SignIn)
        .anyone(|s, _| async move {
            let client = ssr::client(&s);
            let session = auth::sign_in(&s.pool, &s.config, client, &email, &password).await?;
            enter(&s, &session.token, &locale, next.as_deref());
            Ok(())
        })
        .await
}

/// Ends the session (if any) and goes home; signing out twice is no error.
#[server]
pub async fn sign_out(locale: String) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    ssr::anyone(|s, token| async move {
        if let Some(token) = token {
            auth::sign_out(&s.pool, &token).await?;
        }
        ssr::set_session_cookie(&s, None);
        leptos_axum::redirect(&destination(&locale, None));
        Ok(())
    })
    .await
}

/// A new session: its cookie, then back to where the visitor was going.
#[cfg(feature = "ssr")]
fn enter(
    state: &crate::server::platform::state::AppState,
    token: &str,
    locale: &str,
    next: Option<&str>,
) {
    ssr::set_session_cookie(state, Some(token));
    leptos_axum::redirect(&destination(locale, next));
}

#[cfg(feature = "ssr")]
fn destination(locale: &str, next: Option<&str>) -> String {
    let home = crate::routes::href(ssr::locale(locale), crate::routes::HOME);
    crate::domain::auth::safe_next(next, &home)
}
