//! The JSON endpoints (README, HTTP surface) and the operational endpoints, as thin axum handlers over the services.
pub mod admin_api;
pub mod caching;
pub mod control_chars;
pub mod cron_api;
pub mod cross_site;
pub mod json_api;
pub mod locale_redirect;
pub mod ops;
pub mod refcodes_api;
pub mod security_headers;
pub mod store_api;

use crate::domain::refcode::REF_COOKIE;
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::platform::state::AppState;
use crate::server::{accounts::auth, platform::cookies};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Whether `authorization` is `Bearer <secret>`, compared in constant time (over SHA-256 digests, so not even the
/// length leaks).
pub fn bearer_matches(secret: &str, authorization: Option<&str>) -> bool {
    let digest = |s: &str| Sha256::digest(s.trim().as_bytes());
    authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|given| bool::from(digest(given).ct_eq(&digest(secret))))
}

/// A JSON body whose rejection is our JSON error (400 with a message), not axum's plain text.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| JsonBody(v))
            .map_err(|e: JsonRejection| AppError::BadRequest(e.body_text()))
    }
}

/// Query parameters whose rejection is our JSON error (400 with a message).
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| QueryParams(v))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// The raw session token from the cookie, if any (validity is the auth service's business).
pub struct SessionToken(pub Option<String>);

impl FromRequestParts<AppState> for SessionToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secure = state.config.secure_cookies();
        Ok(SessionToken(cookies::read_session(&parts.headers, secure)))
    }
}

/// The signed-in member (401 `unauthorized` otherwise).
pub struct CurrentUser(pub Me);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookies::read_session(&parts.headers, state.config.secure_cookies());
        auth::require_user(&state.pool, token.as_deref())
            .await
            .map(CurrentUser)
    }
}

/// A signed-in admin (401 anonymous, 403 `forbidden` for a member).
pub struct Admin(pub Me);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let CurrentUser(me) = CurrentUser::from_request_parts(parts, state).await?;
        auth::admin(me).map(Admin)
    }
}

/// The client's address as the rate limits see it (`rate_limit::request_client`).
pub struct ClientAddr(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let hops = state.config.trusted_proxy_hops;
        Ok(ClientAddr(
            crate::server::platform::rate_limit::request_client(parts, hops),
        ))
    }
}

/// The raw first-touch `ring_ref` cookie, if any (sign-up validates it).
pub struct RefCookie(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RefCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RefCookie(cookies::read(&parts.headers, REF_COOKIE)))
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_matches;

    const SECRET: &str = "a-secret-for-tests";

    #[test]
    fn only_the_bearer_secret_itself_matches() {
        assert!(bearer_matches(SECRET, Some(&format!("Bearer {SECRET}"))));
        for wrong in [
            None,
            Some(SECRET),
            Some("Bearer a-secret-for-test"),
            Some("Bearer "),
        ] {
            assert!(!bearer_matches(SECRET, wrong), "{wrong:?}");
        }
    }
}
