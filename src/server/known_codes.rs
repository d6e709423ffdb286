//! Which referral codes exist, remembered in memory so visit tracking does not ask the database per request.
//! A code that exists is remembered until it is deleted here; a code that does not is re-checked after
//! [`UNKNOWN_TTL`] (another instance may have created it). Concurrent misses of one code share one lookup.
use super::db;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

pub const UNKNOWN_TTL: Duration = Duration::from_secs(2);
/// Bounds the memory a flood of made-up codes can take.
pub const MAX_ENTRIES: usize = 100_000;

struct Slot {
    exists: OnceCell<bool>,
    since: Instant,
}

impl Slot {
    fn new(known: Option<bool>) -> Arc<Slot> {
        Arc::new(Slot {
            exists: known.map_or_else(OnceCell::new, |k| OnceCell::new_with(Some(k))),
            since: Instant::now(),
        })
    }

    fn usable(&self) -> bool {
        match self.exists.get() {
            Some(false) => self.since.elapsed() < UNKNOWN_TTL,
            Some(true) | None => true,
        }
    }
}

#[derive(Default)]
pub struct KnownCodes {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

impl KnownCodes {
    /// Whether `code` (normalized, upper-case) exists; the database is asked only on a miss.
    pub async fn exists(&self, pool: &PgPool, code: &str) -> Result<bool, sqlx::Error> {
        let slot = self.slot(code);
        slot.exists
            .get_or_try_init(|| db::refcodes::exists(pool, code))
            .await
            .copied()
    }

    /// A code was just created here: known at once, even if it was looked up (and missing) a moment ago.
    pub fn learn(&self, code: &str) {
        self.with_room(|slots| {
            slots.insert(code.to_string(), Slot::new(Some(true)));
        });
    }

    /// A code was deleted here.
    pub fn forget(&self, code: &str) {
        self.lock().remove(code);
    }

    fn slot(&self, code: &str) -> Arc<Slot> {
        if let Some(slot) = self.lock().get(code).filter(|s| s.usable()) {
            return slot.clone();
        }
        self.with_room(|slots| match slots.get(code).filter(|s| s.usable()) {
            Some(slot) => slot.clone(),
            None => {
                let slot = Slot::new(None);
                slots.insert(code.to_string(), slot.clone());
                slot
            }
        })
    }

    /// Runs `f` with room for one more entry: unknown codes are dropped first, then everything.
    fn with_room<T>(&self, f: impl FnOnce(&mut HashMap<String, Arc<Slot>>) -> T) -> T {
        let mut slots = self.lock();
        if slots.len() >= MAX_ENTRIES {
            slots.retain(|_, s| s.exists.get() == Some(&true));
            if slots.len() >= MAX_ENTRIES {
                slots.clear();
            }
        }
        f(&mut slots)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        // A panic while holding this lock cannot leave the map inconsistent: every write is one call.
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learned_codes_are_known_and_forgotten_ones_are_not_cached() {
        let known = KnownCodes::default();
        known.learn("ABCD");
        assert_eq!(known.slot("ABCD").exists.get(), Some(&true));
        known.forget("ABCD");
        assert_eq!(known.slot("ABCD").exists.get(), None, "asks again");
    }

    #[test]
    fn unknown_answers_expire() {
        let stale = Slot {
            exists: OnceCell::new_with(Some(false)),
            since: Instant::now() - UNKNOWN_TTL - Duration::from_millis(1),
        };
        assert!(!stale.usable());
        assert!(Slot::new(Some(false)).usable());
        assert!(Slot::new(Some(true)).usable());
        assert!(Slot::new(None).usable());
    }

    #[test]
    fn the_cache_is_bounded() {
        let known = KnownCodes::default();
        for i in 0..MAX_ENTRIES {
            known
                .lock()
                .insert(format!("NOPE{i}"), Slot::new(Some(false)));
        }
        known.learn("KEEP");
        assert_eq!(known.len(), 1, "unknown entries made room");
        assert_eq!(known.slot("KEEP").exists.get(), Some(&true));
    }
}
