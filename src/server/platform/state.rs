use crate::server::mint::MintService;
use crate::server::platform::config::Config;
use crate::server::platform::rate_limit::RateLimits;
use crate::server::referral::visits::VisitCounter;
use crate::server::rewards::ledger::Ledger;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use std::sync::Arc;

/// Everything a handler or server function needs; cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub metrics: PrometheusHandle,
    /// Visit tallies not written yet, and the codes known to exist.
    pub visits: Arc<VisitCounter>,
    /// The reward ledger with its price oracle.
    pub ledger: Arc<Ledger>,
    /// The reward minter with the server wallet (unconfigured without a chain).
    pub mint: Arc<MintService>,
    /// Token buckets per client address on the endpoints anyone can call.
    pub limits: Arc<RateLimits>,
    /// Outgoing HTTP (the test payment page posts to this app's own webhook).
    pub http: refcodes_chain::reqwest::Client,
}
