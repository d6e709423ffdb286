//! `refcodes` serves the app; `refcodes reconcile` prints the ledger↔chain drift report as JSON and exits 1
//! when there is drift; `refcodes admin grant|revoke EMAIL` gives or takes an existing account's admin role.
use refcodes::domain::user::Role;
use refcodes::server::mint::{health, Chain};
use refcodes::server::{
    accounts::roles, db, platform::config::Config, platform::startup, platform::telemetry,
};
use std::process::ExitCode;

const USAGE: &str = "run without arguments to serve, `reconcile` for the drift report, or \
                     `admin grant EMAIL` / `admin revoke EMAIL`";

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        [] => serve().await.map(|()| ExitCode::SUCCESS),
        ["reconcile"] => report().await,
        ["admin", "grant", email] => change_role(email, Role::Admin).await,
        ["admin", "revoke", email] => change_role(email, Role::Member).await,
        other => Err(format!("unknown command {:?}: {USAGE}", other.join(" ")).into()),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("refcodes: {e}");
        ExitCode::from(2)
    })
}

/// Needs only `DATABASE_URL`: an operator runs it from any shell that reaches the database.
async fn change_role(email: &str, role: Role) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = Config::from_env().map_err(startup::StartError::from)?;
    let pool = startup::connect(&config, 1).await?;
    db::migrate(&pool).await?;
    let change = roles::set_role(&pool, email, role, roles::OPERATOR).await?;
    println!(
        "{}: {} → {} ({} session(s) ended)",
        change.email,
        change.before.as_str(),
        change.after.as_str(),
        change.sessions_ended
    );
    Ok(ExitCode::SUCCESS)
}

async fn report() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = Config::from_env().map_err(startup::StartError::from)?;
    let state = startup::prepare(config).await?;
    let chain = Chain {
        minter: state.mint.minter().await?,
        config: state.mint.config(),
    };
    let report = health::reconcile(&state.pool, &chain).await?;
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
