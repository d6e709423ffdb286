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

/// Everything a handler or server function needs, behind one `Arc`. A page request clones it several times (each
/// middleware's `State`, the render's context, every server function): cloned field by field, that was ten shared
/// reference counts touched from both cores per clone, about a tenth of the CPU of a rendered landing page.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

pub struct Services {
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

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What Leptos' handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}
