//! The whole HTTP surface in one axum router: pages, server functions, JSON API, operations.
use crate::api::admin::AdminMintNow;
use crate::app::{shell, App};
use crate::server::accounts::page_user;
use crate::server::http::{
    admin_api, caching, control_chars, cron_api, cross_site, json_api, locale_redirect, ops,
    refcodes_api, security_headers, store_api,
};
use crate::server::platform::connections::{self, Deadline};
use crate::server::platform::page_cache::{self, PageCache};
use crate::server::platform::state::AppState;
use crate::server::referral::capture;
use axum::extract::{Request, State};
use axum::http::HeaderName;
use axum::response::Response;
use axum::routing::get;
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos::server_fn::ServerFn;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tower::ServiceBuilder;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The app's routes, generated once per process. Generating them suppresses resource loading process-wide for a
/// moment (leptos-rs/leptos#4773): a page another server of the same process rendered then would never finish.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/", get(locale_redirect::root))
        .merge(json_api::routes())
        .merge(refcodes_api::routes())
        .merge(store_api::routes())
        .merge(admin_api::routes())
        .merge(cron_api::routes())
        .merge(ops::routes())
        // The site's files, before Leptos' fallback: its file handler applies whatever response options a page
        // being rendered on the same thread set (a 403 page's status leaked onto wasm chunks under load).
        .nest_service(
            "/pkg",
            ServeDir::new(Path::new(&state.config.site_root).join("pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .route_layer(middleware::from_fn(ops::track))
        .fallback(fallback)
        // The anonymous landing page from memory (inside the capture: every response gets its own cookie).
        .layer(middleware::from_fn_with_state(
            Arc::new(PageCache::new(state.config.secure_cookies())),
            page_cache::serve,
        ))
        // Outside the routes: any page path captures the `?ref=` of a live code.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            capture::capture,
        ))
        // Who is signed in, before a page renders (anonymous pages, the cached ones included, never ask).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_user::resolve,
        ))
        .layer(middleware::from_fn_with_state(
            Deadline {
                limit: state.config.connections.request,
                exempt: Arc::from(["/api/cron/refcodes-mint", "/api/admin/mint", AdminMintNow::PATH]),
            },
            connections::deadline,
        ))
        // Before anything else can change state: a cross-site post is refused here.
        .layer(middleware::from_fn_with_state(
            state.config.clone(),
            cross_site::refuse,
        ))
        .layer(middleware::from_fn(control_chars::refuse))
        .layer(middleware::from_fn_with_state(
            Arc::new(caching::SiteFiles::scan(
                Path::new(&state.config.site_root),
                state.config.secure_cookies(),
            )),
            caching::set_cache_control,
        ))
        .layer(middleware::from_fn_with_state(
            state.config.secure_cookies(),
            security_headers::set,
        ))
        // Pages and JSON compressed on the fly (brotli or gzip, as the browser accepts), but never a signed-in
        // browser's; the site's files are served precompressed when the release build made `.br` / `.gz` copies
        // (`--precompress`).
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(caching::may_compress)))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // The path only: query strings may carry codes or tokens.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
        .with_state(state)
}

/// Static files, and the translated not-found page for everything else.
async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let context = state.clone();
    let handler = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        move || provide_context(context.clone()),
        shell,
    );
    handler(req.uri().clone(), State(state), req).await
}
