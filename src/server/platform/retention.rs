//! What the database stops keeping, so tables written by anyone on the internet stay bounded: expired sessions,
//! sign-in failures older than a day (the throttle looks back minutes), wallet-proof messages issued more than a
//! day ago (valid ten minutes; a late replay is refused either way), and rejected payment notifications older than
//! `REJECTED_EVENT_RETENTION_DAYS`. Runs at start-up and then hourly, on every instance (deleting twice is
//! harmless).
use crate::server::db;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;

const EVERY: Duration = Duration::from_secs(3600);
const LOGIN_FAILURE_HOURS: u32 = 24;
const WALLET_CHALLENGE_HOURS: u32 = 24;

/// Rows removed by one pass.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub login_failures: u64,
    pub wallet_challenges: u64,
    pub rejected_events: u64,
}

pub async fn purge(pool: &PgPool, rejected_event_days: u32) -> sqlx::Result<Purged> {
    Ok(Purged {
        sessions: db::sessions::purge_expired(pool).await?,
        login_failures: db::login_failures::purge_older_than(pool, LOGIN_FAILURE_HOURS).await?,
        wallet_challenges: db::wallets::purge_challenges_older_than(pool, WALLET_CHALLENGE_HOURS)
            .await?,
        rejected_events: db::payment_events::purge_rejected(pool, rejected_event_days).await?,
    })
}

/// Purges now and every hour until `stop` turns true; a failed pass is logged and retried at the next.
pub async fn run(pool: PgPool, rejected_event_days: u32, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        match purge(&pool, rejected_event_days).await {
            Ok(purged) => tracing::info!(?purged, "retention pass"),
            Err(e) => tracing::warn!(error = %e, "retention pass failed; retried in an hour"),
        }
    }
}
