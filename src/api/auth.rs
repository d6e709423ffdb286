#[cfg(feature = "ssr")]
use super::ssr;
use crate::domain::user::Me;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every page needs to know about the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteDetails {
    pub brand_name: String,
    pub site_url: String,
}

#[server]
pub async fn site_info() -> Result<SiteDetails, AppError> {
    let s = ssr::state()?;
    Ok(SiteDetails {
        brand_name: s.config.brand_name.clone(),
        site_url: s.config.site_url.clone(),
    })
}

#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let s = ssr::state()?;
    ssr::respond(
        crate::server::accounts::auth::current_user(&s.pool, ssr::session_token().as_deref()).await,
    )
}

#[server]
pub async fn sign_up(
    email: String,
    password: String,
    locale: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let s = ssr::state()?;
    ssr::limit(&s, crate::server::platform::rate_limit::Action::SignUp)?;
    let (ring_ref, token) = (
        ssr::cookie(crate::domain::refcode::REF_COOKIE),
        ssr::session_token(),
    );
    let context = crate::server::accounts::auth::SignUpContext {
        ring_ref: ring_ref.as_deref(),
        session_token: token.as_deref(),
    };
    let session = ssr::respond(
        crate::server::accounts::auth::sign_up(&s.pool, &s.config, &email, &password, context)
            .await,
    )?;
    enter(&s, &session.token, &locale, next.as_deref());
    Ok(())
}

#[server]
pub async fn sign_in(
    email: String,
    password: String,
    locale: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let s = ssr::state()?;
    ssr::limit(&s, crate::server::platform::rate_limit::Action::SignIn)?;
    let client = ssr::client(&s);
    let session =
        crate::server::accounts::auth::sign_in(&s.pool, &s.config, client, &email, &password).await;
    let session = ssr::respond(session)?;
    enter(&s, &session.token, &locale, next.as_deref());
    Ok(())
}

#[server]
pub async fn sign_out(locale: String) -> Result<(), AppError> {
    let s = ssr::state()?;
    if let Some(token) = ssr::session_token() {
        ssr::respond(crate::server::accounts::auth::sign_out(&s.pool, &token).await)?;
    }
    ssr::set_session_cookie(&s, None);
    leptos_axum::redirect(&destination(&locale, None));
    Ok(())
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
    let locale = if crate::domain::locale::is_supported(locale) {
        locale
    } else {
        crate::domain::locale::DEFAULT_LOCALE
    };
    crate::domain::auth::safe_next(next, &crate::routes::href(locale, crate::routes::HOME))
}
