//! Clawbacks (README, Clawbacks): what a referrer owes back for a reward paid out on an order refunded afterwards.
//!
//! 1. A refund of an order whose reward was minted (or netted) records a clawback of the reward's whole sized
//!    amount, in the refund's transaction (`ledger.rs`, `on_refunded`); a reward still `minting` is recorded by
//!    the sweeper once it settles (`rewards/sweep.rs`).
//! 2. Each mint batch nets open clawbacks from the referrer's rewards about to be sent ([`net`]): in one
//!    transaction, with the clawbacks and the claimed rows locked, each netting is noted (`clawback_nettings`)
//!    and taken off the reward's `amountWei` (onto `nettedWei`); a reward with nothing left is `netted` and never
//!    minted. Only rewards claimed for the first time are netted: one claimed before may ride on a transaction
//!    that is still out there with the old amount. A reward voided later gives its nettings back
//!    (`db::rewards::move_status_from`).
//! 3. An admin may waive what is left of an open clawback, with a reason, audit-logged ([`waive`]).
//!
//! Invariant, per referrer: minted + netted (what they earned) − clawbacks not waived − what waived ones had
//! netted = what they keep; on chain they received exactly the minted part.
use crate::domain::admin::required_reason;
use crate::domain::reward::{Clawback, ClawbackStatus};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::db::{self, audit_log::Entry};
use refcodes_chain::alloy::primitives::U256;
use serde_json::json;
use sqlx::{Acquire, PgConnection, PgPool};
use std::collections::HashMap;

/// How many clawbacks a page lists.
const LISTED: i64 = 100;

/// A reward a mint batch is about to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub reward_id: String,
    pub referrer_user_id: String,
    pub amount: U256,
}

/// What is left of one open clawback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debt {
    pub clawback_id: String,
    pub referrer_user_id: String,
    pub left: U256,
}

/// `amount` of a clawback taken from a reward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Netting {
    pub clawback_id: String,
    pub reward_id: String,
    pub amount: U256,
}

/// Oldest debt first against the referrer's rewards in order, each taking what it can; a reward or a debt never
/// goes below zero, and no referrer's debt touches another's reward.
pub fn plan(debts: &[Debt], candidates: &[Candidate]) -> Vec<Netting> {
    let mut room: Vec<U256> = candidates.iter().map(|c| c.amount).collect();
    let mut nettings = Vec::new();
    for debt in debts {
        let mut left = debt.left;
        for (c, room) in candidates.iter().zip(room.iter_mut()) {
            if left.is_zero() {
                break;
            }
            if c.referrer_user_id != debt.referrer_user_id || room.is_zero() {
                continue;
            }
            let take = left.min(*room);
            *room -= take;
            left -= take;
            nettings.push(Netting {
                clawback_id: debt.clawback_id.clone(),
                reward_id: c.reward_id.clone(),
                amount: take,
            });
        }
    }
    nettings
}

/// Nets the open clawbacks of the candidates' referrers from them (see the module docs); returns what was taken
/// from each reward. `batch` is the claim the candidates belong to: a reward that moved on since is left alone.
pub async fn net(
    conn: &mut PgConnection,
    batch: &str,
    candidates: &[Candidate],
) -> Result<HashMap<String, U256>, sqlx::Error> {
    let mut taken = HashMap::new();
    if candidates.is_empty() {
        return Ok(taken);
    }
    let mut referrers: Vec<String> = candidates
        .iter()
        .map(|c| c.referrer_user_id.clone())
        .collect();
    referrers.sort();
    referrers.dedup();
    let mut tx = conn.begin().await?;
    let debts: Vec<Debt> = db::clawbacks::owed_by(&mut *tx, &referrers)
        .await?
        .into_iter()
        .filter_map(|o| {
            let left = U256::from_str_radix(&o.left_wei, 10).ok()?;
            Some(Debt {
                clawback_id: o.id,
                referrer_user_id: o.referrer_user_id,
                left,
            })
        })
        .collect();
    if debts.is_empty() {
        return Ok(taken);
    }
    let ids: Vec<String> = candidates.iter().map(|c| c.reward_id.clone()).collect();
    let still_claimed = db::rewards::lock_claimed(&mut *tx, &ids, batch).await?;
    let candidates: Vec<Candidate> = candidates
        .iter()
        .filter(|c| still_claimed.contains(&c.reward_id))
        .cloned()
        .collect();
    for n in plan(&debts, &candidates) {
        let amount = n.amount.to_string();
        if db::rewards::net(&mut *tx, &n.reward_id, batch, &amount).await? {
            db::clawbacks::add_netting(&mut *tx, &n.clawback_id, &n.reward_id, &amount).await?;
            *taken.entry(n.reward_id).or_insert(U256::ZERO) += n.amount;
        }
    }
    tx.commit().await?;
    if !taken.is_empty() {
        tracing::info!(rewards = taken.len(), "clawbacks netted before minting");
        metrics::counter!("refcodes_clawback_nettings_total").increment(taken.len() as u64);
    }
    Ok(taken)
}

/// The member's own clawbacks, newest first.
pub async fn of_member(pool: &PgPool, user_id: &str) -> Result<Vec<Clawback>, AppError> {
    Ok(db::clawbacks::list(pool, Some(user_id), LISTED).await?)
}

/// Everyone's clawbacks, newest first, with the referrer's email.
pub async fn all(pool: &PgPool) -> Result<Vec<Clawback>, AppError> {
    Ok(db::clawbacks::list(pool, None, LISTED).await?)
}

/// Forgives what is left of an open clawback, with the admin's reason, audit-logged (`waive_clawback`).
pub async fn waive(pool: &PgPool, admin: &Me, id: &str, reason: &str) -> Result<(), AppError> {
    let reason = required_reason(reason)?;
    if id.chars().any(char::is_control) {
        return Err(AppError::NotFound);
    }
    let mut tx = pool.begin().await?;
    let left = match db::clawbacks::lock_status(&mut tx, id).await? {
        None => return Err(AppError::NotFound),
        Some((ClawbackStatus::Open, left)) => left,
        Some(_) => return Err(AppError::ClawbackNotOpen),
    };
    db::clawbacks::waive(&mut *tx, id, &admin.email, &reason).await?;
    let targets = [id.to_string()];
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: "waive_clawback",
        target_ids: &targets,
        before: json!({ id: { "status": "open", "leftWei": left } }),
        after: json!("waived"),
        detail: json!({ "reason": reason, "waivedWei": left }),
    };
    db::audit_log::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(
        admin = admin.user_id,
        clawback = id,
        left = left,
        "clawback waived"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debt(id: &str, who: &str, left: u64) -> Debt {
        Debt {
            clawback_id: id.into(),
            referrer_user_id: who.into(),
            left: U256::from(left),
        }
    }

    fn candidate(id: &str, who: &str, amount: u64) -> Candidate {
        Candidate {
            reward_id: id.into(),
            referrer_user_id: who.into(),
            amount: U256::from(amount),
        }
    }

    fn netting(clawback: &str, reward: &str, amount: u64) -> Netting {
        Netting {
            clawback_id: clawback.into(),
            reward_id: reward.into(),
            amount: U256::from(amount),
        }
    }

    #[test]
    fn a_debt_takes_part_of_a_larger_reward() {
        let plan = plan(&[debt("c1", "ann", 30)], &[candidate("r1", "ann", 100)]);
        assert_eq!(plan, vec![netting("c1", "r1", 30)]);
    }

    #[test]
    fn a_large_debt_spreads_over_rewards_and_stays_open() {
        let plan = plan(
            &[debt("c1", "ann", 250)],
            &[candidate("r1", "ann", 100), candidate("r2", "ann", 100)],
        );
        assert_eq!(
            plan,
            vec![netting("c1", "r1", 100), netting("c1", "r2", 100)]
        );
    }

    #[test]
    fn debts_are_paid_oldest_first_and_never_from_another_referrer() {
        let plan = plan(
            &[
                debt("c1", "ann", 60),
                debt("c2", "bob", 50),
                debt("c3", "ann", 60),
            ],
            &[candidate("r1", "bob", 10), candidate("r2", "ann", 100)],
        );
        assert_eq!(
            plan,
            vec![
                netting("c1", "r2", 60),
                netting("c2", "r1", 10),
                netting("c3", "r2", 40),
            ]
        );
    }

    #[test]
    fn nothing_is_netted_without_debt_or_room() {
        assert!(plan(&[], &[candidate("r1", "ann", 100)]).is_empty());
        assert!(plan(&[debt("c1", "ann", 5)], &[candidate("r1", "ann", 0)]).is_empty());
    }
}
