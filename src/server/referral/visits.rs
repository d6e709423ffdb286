//! Visit tracking (`POST /api/refcodes/track`) at a high rate with exact counts.
//! A visitor — the client address the ping comes from — counts once per code per [`VISIT_WINDOW`]: reloads and
//! floods from one address do not inflate a code's visits (the ping still answers 204, so nothing is learned).
//! A request only adds 1 to an in-memory tally (no database round trip); a background task writes
//! all pending tallies every [`FLUSH_EVERY`] in one statement, and a final flush runs on graceful shutdown.
//! A failed write puts its tallies back, so an increment is written once, never twice, never lost.
use crate::domain::refcode::normalize_code;
use crate::error::AppError;
use crate::server::db;
use crate::server::referral::known_codes::KnownCodes;
use moka::future::Cache;
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

pub const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// A visitor counts once per code within this.
pub const VISIT_WINDOW: Duration = Duration::from_secs(3600);
/// Bounds the memory of who visited what (the oldest are forgotten first).
pub const MAX_RECENT_VISITS: u64 = 1_000_000;

pub struct VisitCounter {
    pub known: KnownCodes,
    /// (visitor, code) counted within the last [`VISIT_WINDOW`].
    recent: Cache<(IpAddr, String), ()>,
    pending: Mutex<HashMap<String, u64>>,
    /// One flush at a time, so the shutdown flush waits for a periodic one in flight.
    flushing: tokio::sync::Mutex<()>,
}

impl Default for VisitCounter {
    fn default() -> Self {
        VisitCounter {
            known: KnownCodes::default(),
            recent: Cache::builder()
                .max_capacity(MAX_RECENT_VISITS)
                .time_to_live(VISIT_WINDOW)
                .build(),
            pending: Mutex::default(),
            flushing: tokio::sync::Mutex::default(),
        }
    }
}

impl VisitCounter {
    /// Counts a visit of `raw_code` by `visitor` unless they were counted for it within the window: 400 when
    /// malformed, 404 when no such code is live.
    pub async fn track(
        &self,
        pool: &PgPool,
        visitor: IpAddr,
        raw_code: &str,
    ) -> Result<(), AppError> {
        let code = normalize_code(raw_code)?;
        let live = self.known.is_live(pool, &code).await;
        if !live.map_err(|e| crate::server::platform::errors::internal("live codes", e))? {
            return Err(AppError::UnknownCode);
        }
        let first = self
            .recent
            .entry((visitor, code.clone()))
            .or_insert(())
            .await;
        if first.is_fresh() {
            *self.lock().entry(code).or_default() += 1;
        }
        Ok(())
    }

    /// Visits counted but not written yet.
    pub fn pending(&self) -> u64 {
        self.lock().values().sum()
    }

    /// Writes every pending tally; on failure they stay pending for the next flush.
    pub async fn flush(&self, pool: &PgPool) -> Result<u64, sqlx::Error> {
        let _one_at_a_time = self.flushing.lock().await;
        let batch = std::mem::take(&mut *self.lock());
        if batch.is_empty() {
            return Ok(0);
        }
        let (codes, counts): (Vec<String>, Vec<i64>) = batch
            .iter()
            .map(|(code, n)| (code.clone(), i64::try_from(*n).unwrap_or(i64::MAX)))
            .unzip();
        match db::refcodes::add_visits(pool, &codes, &counts).await {
            Ok(_) => Ok(batch.values().sum()),
            Err(e) => {
                let mut pending = self.lock();
                for (code, n) in batch {
                    *pending.entry(code).or_default() += n;
                }
                Err(e)
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Flushes every [`FLUSH_EVERY`] until `stop` turns true.
pub async fn run_flusher(
    counter: std::sync::Arc<VisitCounter>,
    pool: PgPool,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        if let Err(e) = counter.flush(&pool).await {
            tracing::warn!(error = %e, pending = counter.pending(), "visit flush failed; will retry");
        }
    }
}

/// The last flush, after the server stopped taking requests: a few tries, then the loss is logged loudly.
pub async fn final_flush(counter: &VisitCounter, pool: &PgPool) {
    for attempt in 1..=5u32 {
        match counter.flush(pool).await {
            Ok(written) => {
                tracing::info!(written, "visits flushed at shutdown");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt, "shutdown visit flush failed");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
        }
    }
    tracing::error!(
        lost = counter.pending(),
        "visits could not be written at shutdown"
    );
}
