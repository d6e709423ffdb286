//! Server functions: thin — one `ssr` guard (rate limit, session and role), one service call, a DTO back.
pub mod admin;
pub mod auth;
pub mod refcodes;
pub mod store;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::user::Me;
    use crate::error::AppError;
    use crate::server::accounts::auth;
    use crate::server::platform::cookies;
    use crate::server::platform::rate_limit::Action;
    use crate::server::platform::state::AppState;
    use http::{
        header::{ACCEPT, SET_COOKIE},
        HeaderValue, StatusCode,
    };
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;
    use std::future::Future;

    fn session_token(state: &AppState) -> Option<String> {
        let secure = state.config.secure_cookies();
        use_context::<http::request::Parts>()
            .and_then(|parts| cookies::read_session(&parts.headers, secure))
    }

    pub fn cookie(name: &str) -> Option<String> {
        use_context::<http::request::Parts>().and_then(|parts| cookies::read(&parts.headers, name))
    }

    /// The address of the client that sent this request (`TRUSTED_PROXY_HOPS` decides what counts).
    pub fn client(state: &AppState) -> std::net::IpAddr {
        let hops = state.config.trusted_proxy_hops;
        use_context::<http::request::Parts>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |parts| {
                crate::server::platform::rate_limit::request_client(&parts, hops)
            })
    }

    /// Every server function's one way in, as its JSON twin's extractors decide it (`server/http/mod.rs`): the
    /// rate-limit bucket first (so an anonymous flood spends it too), then who the caller must be, then the one
    /// service call, whose error gets its HTTP status (`respond`).
    #[derive(Default)]
    pub struct Guard {
        limit: Option<Action>,
    }

    /// A guard that first takes a token of the caller's bucket for `action` (429 `rate_limited` when empty).
    pub fn limited(action: Action) -> Guard {
        Guard {
            limit: Some(action),
        }
    }

    /// Anyone may call (the body reads the session itself when it cares).
    pub async fn anyone<T, F>(
        body: impl FnOnce(AppState, Option<String>) -> F,
    ) -> Result<T, AppError>
    where
        F: Future<Output = Result<T, AppError>>,
    {
        Guard::default().anyone(body).await
    }

    /// The signed-in member, or 401.
    pub async fn member<T, F>(body: impl FnOnce(AppState, Me) -> F) -> Result<T, AppError>
    where
        F: Future<Output = Result<T, AppError>>,
    {
        Guard::default().member(body).await
    }

    /// The signed-in admin: 401 anonymous, 403 for a member.
    pub async fn admin<T, F>(body: impl FnOnce(AppState, Me) -> F) -> Result<T, AppError>
    where
        F: Future<Output = Result<T, AppError>>,
    {
        Guard::default().admin(body).await
    }

    impl Guard {
        fn enter(&self) -> Result<AppState, AppError> {
            let state = use_context::<AppState>().ok_or_else(|| {
                crate::server::platform::errors::internal(
                    "server function",
                    "no AppState in context",
                )
            })?;
            if let Some(action) = self.limit {
                state.limits.check(action, client(&state))?;
            }
            Ok(state)
        }

        /// Anyone, with the raw session token (if any) for the body to use.
        pub async fn anyone<T, F>(
            self,
            body: impl FnOnce(AppState, Option<String>) -> F,
        ) -> Result<T, AppError>
        where
            F: Future<Output = Result<T, AppError>>,
        {
            respond(
                async {
                    let state = self.enter()?;
                    let token = session_token(&state);
                    body(state, token).await
                }
                .await,
            )
        }

        pub async fn member<T, F>(self, body: impl FnOnce(AppState, Me) -> F) -> Result<T, AppError>
        where
            F: Future<Output = Result<T, AppError>>,
        {
            self.signed_in(false, body).await
        }

        pub async fn admin<T, F>(self, body: impl FnOnce(AppState, Me) -> F) -> Result<T, AppError>
        where
            F: Future<Output = Result<T, AppError>>,
        {
            self.signed_in(true, body).await
        }

        async fn signed_in<T, F>(
            self,
            admin: bool,
            body: impl FnOnce(AppState, Me) -> F,
        ) -> Result<T, AppError>
        where
            F: Future<Output = Result<T, AppError>>,
        {
            self.anyone(|state, token| async move {
                let me = auth::require_user(&state.pool, token.as_deref()).await?;
                let me = if admin { auth::admin(me)? } else { me };
                body(state, me).await
            })
            .await
        }
    }

    /// The signed-in user the page request's middleware found (`server/accounts/page_user.rs`); a failed lookup
    /// gives the page its status (the page itself shows the error where a member's content would be).
    pub fn page_user(extensions: Option<&http::Extensions>) -> Result<Option<Me>, AppError> {
        use crate::server::accounts::page_user::PageUser;
        let found = extensions.and_then(|e| e.get::<PageUser>());
        let user = found.map_or(Ok(None), |PageUser(user)| user.clone());
        if let (Err(e), Some(options)) = (&user, use_context::<ResponseOptions>()) {
            options.set_status(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        user
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
    fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
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

    /// Sends a form post on to the order's page (in `locale`, or the default one).
    pub fn redirect_to_order(locale: &str, reference: &str) {
        leptos_axum::redirect(&crate::routes::order(self::locale(locale), reference));
    }

    pub fn set_session_cookie(state: &AppState, token: Option<&str>) {
        let secure = state.config.secure_cookies();
        let max_age = u64::from(state.config.session_days) * 86_400;
        set_cookie(cookies::set_session(token, max_age, secure));
    }
}
