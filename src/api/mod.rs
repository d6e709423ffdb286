//! Server functions: thin — session and role check, one service call, a DTO back.
pub mod admin;
pub mod auth;
pub mod refcodes;
pub mod referral;
pub mod store;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::server::platform::cookies;
    use crate::server::platform::state::AppState;
    use http::{
        header::{ACCEPT, SET_COOKIE},
        HeaderValue, StatusCode,
    };
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            crate::server::platform::errors::internal("server function", "no AppState in context")
        })
    }

    pub fn session_token() -> Option<String> {
        let secure = state().ok()?.config.secure_cookies();
        use_context::<http::request::Parts>()
            .and_then(|parts| cookies::read_session(&parts.headers, secure))
    }

    pub fn cookie(name: &str) -> Option<String> {
        use_context::<http::request::Parts>().and_then(|parts| cookies::read(&parts.headers, name))
    }

    /// Takes a token of the caller's bucket for `action` (429 `rate_limited` when it is empty).
    pub fn limit(
        state: &AppState,
        action: crate::server::platform::rate_limit::Action,
    ) -> Result<(), AppError> {
        respond(state.limits.check(action, client(state)))
    }

    /// The address of the client that sent this request (`TRUSTED_PROXY_HOPS` decides what counts).
    pub fn client(state: &AppState) -> std::net::IpAddr {
        let hops = state.config.trusted_proxy_hops;
        use_context::<http::request::Parts>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |parts| {
                crate::server::platform::rate_limit::request_client(&parts, hops)
            })
    }

    /// The signed-in member, or 401.
    pub async fn user(state: &AppState) -> Result<crate::domain::user::Me, AppError> {
        respond(
            crate::server::accounts::auth::require_user(&state.pool, session_token().as_deref())
                .await,
        )
    }

    /// The signed-in admin: 401 anonymous, 403 for a member.
    pub async fn admin(state: &AppState) -> Result<crate::domain::user::Me, AppError> {
        respond(
            crate::server::accounts::auth::require_admin(&state.pool, session_token().as_deref())
                .await,
        )
    }

    /// A supported locale for building links (anything else: the default).
    pub fn locale(raw: &str) -> &str {
        if crate::domain::locale::is_supported(raw) {
            raw
        } else {
            crate::domain::locale::DEFAULT_LOCALE
        }
    }

    /// Gives a failed server function the HTTP status its error deserves (not a blanket 500) — except for a plain
    /// form post (a page without JavaScript), which must stay the redirect back to its page that carries the error
    /// in the URL for the page to show: a status set here would replace that redirect's 302.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let (Err(e), Some(options)) = (&result, use_context::<ResponseOptions>()) {
            if !plain_form_post() {
                options.set_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
        result
    }

    /// The browser posted a form itself and waits for a page (it accepts HTML), rather than a script calling.
    fn plain_form_post() -> bool {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        })
    }

    pub fn set_cookie(value: String) {
        if let (Some(options), Ok(v)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(&value),
        ) {
            options.append_header(SET_COOKIE, v);
        }
    }

    pub fn set_session_cookie(state: &AppState, token: Option<&str>) {
        let secure = state.config.secure_cookies();
        let max_age = u64::from(state.config.session_days) * 86_400;
        set_cookie(cookies::set_session(token, max_age, secure));
    }
}
