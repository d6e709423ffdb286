//! `refcodes` serves the app; `refcodes reconcile` prints the ledger↔chain drift report as JSON and exits 1
//! when there is drift.
use refcodes::server::minter::Chain;
use refcodes::server::{config::Config, reconcile, startup, telemetry};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_tracing();
    let outcome = match std::env::args().nth(1).as_deref() {
        None => serve().await.map(|()| ExitCode::SUCCESS),
        Some("reconcile") => report().await,
        Some(other) => Err(format!(
            "unknown command {other:?}: run without arguments to serve, or `reconcile` for the drift report"
        )
        .into()),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("refcodes: {e}");
        ExitCode::from(2)
    })
}

async fn report() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = Config::from_env().map_err(startup::StartError::from)?;
    let state = startup::prepare(config).await?;
    let chain = Chain {
        minter: state.mint.minter().await?,
        config: state.mint.config(),
    };
    let report = reconcile::report(&state.pool, &chain).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(if report.drift.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env().map_err(startup::StartError::from)?;
    let state = startup::prepare(config).await?;
    let listener = startup::bind(&state).await?;
    tracing::info!(addr = %state.config.site_addr, site = %state.config.site_url, "serving");
    startup::serve(state, listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or_default(),
            };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or_default();
}
