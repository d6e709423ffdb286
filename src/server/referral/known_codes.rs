//! Which referral codes are live — they exist, their owner has them switched on and no admin blocked them —
//! remembered in memory so the landing path (first-touch capture, "invited by") and visit tracking do not ask the
//! database per request. A live answer is kept for [`LIVE_TTL`], a dead one for [`UNKNOWN_TTL`] (another instance
//! may create or switch on the code meanwhile); a change made on this instance forgets the code at once.
//! Concurrent misses of one code share one lookup; at most [`MAX_ENTRIES`] codes are kept.
use crate::server::db;
use moka::future::Cache;
use moka::Expiry;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const LIVE_TTL: Duration = Duration::from_secs(30);
pub const UNKNOWN_TTL: Duration = Duration::from_secs(2);
/// Bounds the memory a flood of made-up codes can take.
pub const MAX_ENTRIES: u64 = 100_000;

/// How long an answer stays: a live code longer than an unknown or switched-off one.
struct ByAnswer;

impl Expiry<String, bool> for ByAnswer {
    fn expire_after_create(&self, _: &String, live: &bool, _: Instant) -> Option<Duration> {
        Some(if *live { LIVE_TTL } else { UNKNOWN_TTL })
    }
}

pub struct KnownCodes {
    live: Cache<String, bool>,
}

impl Default for KnownCodes {
    fn default() -> Self {
        KnownCodes {
            live: Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .expire_after(ByAnswer)
                .build(),
        }
    }
}

impl KnownCodes {
    /// Whether `code` (normalized, upper-case) is live; the database is asked only on a miss.
    pub async fn is_live(&self, pool: &PgPool, code: &str) -> Result<bool, Arc<sqlx::Error>> {
        self.live
            .try_get_with_by_ref(code, db::refcodes::is_live(pool, code))
            .await
    }

    /// A code was just created here: live at once, even if it was looked up (and missing) a moment ago.
    pub async fn learn(&self, code: &str) {
        self.live.insert(code.to_string(), true).await;
    }

    /// A code was deleted, switched or blocked here: the next question asks the database.
    pub async fn forget(&self, code: &str) {
        self.live.invalidate(code).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_answers_are_kept_longer_than_dead_ones() {
        let code = "ABCD".to_string();
        let now = Instant::now();
        assert_eq!(
            ByAnswer.expire_after_create(&code, &true, now),
            Some(LIVE_TTL)
        );
        assert_eq!(
            ByAnswer.expire_after_create(&code, &false, now),
            Some(UNKNOWN_TTL)
        );
        assert!(UNKNOWN_TTL < LIVE_TTL);
    }
}
