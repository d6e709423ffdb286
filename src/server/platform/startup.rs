//! From a configuration to a serving process: pool, migrations, admins, demo data, listener.
use crate::server::mint::{self, MintService};
use crate::server::platform::config::Config;
use crate::server::platform::rate_limit::RateLimits;
use crate::server::platform::state::{AppState, Services};
use crate::server::rewards::ledger::Ledger;
use crate::server::rewards::oracle::PriceOracle;
use crate::server::rewards::sweep;
use crate::server::{
    db, platform::connections, platform::demo, platform::production, platform::rate_limit,
    platform::retention, platform::router, platform::telemetry, referral::visits,
};
use leptos::config::LeptosOptions;
use refcodes_chain::{Transport, CONNECT_TIMEOUT};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::server::platform::config::ConfigError),
    #[error(transparent)]
    Production(#[from] crate::server::platform::production::ProductionError),
    #[error("cannot connect to the database at {endpoint} (check DATABASE_URL): {source}")]
    Connect {
        endpoint: String,
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("start-up step failed: {0}")]
    Step(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Refuses a production start with development defaults, then connects, migrates and (when asked) seeds the
/// demo data.
pub async fn prepare(config: Config) -> Result<AppState, StartError> {
    production::check(&config)?;
    let pool = connect(&config, config.db_max_connections).await?;
    db::migrate(&pool).await?;
    state_for(pool, config).await
}

/// A pool of at most `max_connections` to `DATABASE_URL` (TLS as its `sslmode` says); the error names the endpoint.
pub async fn connect(config: &Config, max_connections: u32) -> Result<sqlx::PgPool, StartError> {
    db::connect(&config.database_url, max_connections)
        .await
        .map_err(|source| StartError::Connect {
            endpoint: config.database_endpoint(),
            source,
        })
}

/// The state over an existing, migrated pool (integration tests hand in theirs).
pub async fn state_for(pool: sqlx::PgPool, config: Config) -> Result<AppState, StartError> {
    if config.seed_demo {
        demo::seed(&pool)
            .await
            .map_err(|e| StartError::Step(e.to_string()))?;
    }
    let leptos_options = LeptosOptions::builder()
        .output_name("refcodes")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .hash_files(site_files_hashed())
        .build();
    let transport = Transport::with_timeouts(
        config.extra_ca_pem.as_deref(),
        CONNECT_TIMEOUT,
        config.chain_call_timeout,
    )
    .map_err(|e| StartError::Step(format!("EXTRA_CA_CERTS: {e}")))?;
    let oracle = PriceOracle::from_config(&config, &transport).map_err(StartError::Step)?;
    let ledger = Ledger::new(config.rates, oracle);
    sweep_at_start(&pool, &ledger).await;
    let mint = MintService::new(config.mint.clone(), transport.clone());
    mint.connect_at_start()
        .await
        .map_err(|e| StartError::Step(e.to_string()))?;
    let http = transport.client().clone();
    let limits = Arc::new(RateLimits::new(&config.rate));
    Ok(AppState::new(Services {
        leptos_options,
        pool,
        config: Arc::new(config),
        metrics: telemetry::metrics_handle(),
        visits: Arc::default(),
        ledger: Arc::new(ledger),
        mint: Arc::new(mint),
        limits,
        http,
    }))
}

/// Repairs what a crash left in the reward ledger before the first request; a failure is logged, not fatal (every
/// mint run sweeps again).
async fn sweep_at_start(pool: &sqlx::PgPool, ledger: &Ledger) {
    if let Err(e) = sweep::sweep(pool, ledger).await {
        tracing::warn!(error = %e, "the reward sweeper failed at start-up");
    }
}

/// Whether the release build named the site files by their content: cargo-leptos then writes their names to
/// `hash.txt` beside the server binary (the bundle keeps it there), where Leptos reads them.
fn site_files_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|file| file.is_file())
}

pub async fn bind(state: &AppState) -> Result<TcpListener, StartError> {
    let addr = state.config.site_addr;
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish and writes the visits they counted.
/// The reward minter's worker (schedule, post-payment runs) lives as long.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (visits, pool) = (state.visits.clone(), state.pool.clone());
    let (stop_flusher, flusher_stop) = tokio::sync::watch::channel(false);
    let worker = mint::spawn_worker(
        pool.clone(),
        state.ledger.clone(),
        state.mint.clone(),
        flusher_stop.clone(),
    );
    let reconciler =
        mint::health::spawn_reconciler(pool.clone(), state.mint.clone(), flusher_stop.clone());
    let forgetter = tokio::spawn(rate_limit::forget_idle_every_minute(
        state.limits.clone(),
        flusher_stop.clone(),
    ));
    let retention = tokio::spawn(retention::run(
        pool.clone(),
        state.config.rejected_event_retention_days,
        flusher_stop.clone(),
    ));
    let flusher = tokio::spawn(visits::run_flusher(
        visits.clone(),
        pool.clone(),
        flusher_stop,
    ));
    // `/uk/` and `/uk` are one page: the path is normalized before routing, so share links keep their slash.
    let limits = state.config.connections;
    let app = NormalizePathLayer::trim_trailing_slash().layer(router::build(state));
    connections::serve(listener, app, limits, shutdown).await;
    let _ = stop_flusher.send(true);
    let _ = flusher.await;
    let _ = retention.await;
    let _ = forgetter.await;
    for task in [worker, reconciler].into_iter().flatten() {
        let _ = task.await;
    }
    visits::final_flush(&visits, &pool).await;
    Ok(())
}
