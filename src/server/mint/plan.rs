//! The minter's pure planning: which claimed rewards can be paid (and why the others cannot), what a revert
//! reaches, and the in-flight record of a sent batch.
use crate::server::db::rewards::{Claimed, InFlight};
use refcodes_chain::alloy::primitives::{Address, B256, U256};
use refcodes_chain::bindings::ReferralRewards::ReferralRewardsErrors;
use refcodes_chain::{order_ref, RewardEntry};
use std::str::FromStr;

/// A broadcast payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentTx {
    pub hash: B256,
    pub nonce: u64,
    pub from: Address,
}

/// A claimed reward ready to be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub id: String,
    pub order_reference: String,
    pub entry: RewardEntry,
    pub from_block: i64,
    pub referrer_user_id: String,
    /// Claimed for the first time (clawbacks may be netted from it).
    pub first_claim: bool,
}

impl Planned {
    /// As an in-flight reward (`tx`: the transaction that was to pay it, if any).
    pub fn in_flight(self, tx: Option<&SentTx>) -> InFlight {
        InFlight {
            id: self.id,
            order_reference: self.order_reference,
            tx_hash: tx.map(|t| t.hash.to_string()),
            from_block: Some(self.from_block),
            tx_from: tx.map(|t| t.from.to_string()),
            nonce: tx.map(|t| t.nonce as i64),
            tx_hashes: tx.map(|t| vec![t.hash.to_string()]).unwrap_or_default(),
        }
    }
}

/// Splits claimed rewards into payable entries and locally malformed ones (with the reason).
pub fn plan(claimed: &[Claimed]) -> (Vec<Planned>, Vec<(String, String)>) {
    let mut planned = Vec::new();
    let mut malformed = Vec::new();
    for c in claimed {
        match entry_of(c) {
            Ok(entry) => planned.push(Planned {
                id: c.id.clone(),
                order_reference: c.order_reference.clone(),
                entry,
                from_block: c.from_block,
                referrer_user_id: c.referrer_user_id.clone(),
                first_claim: c.first_claim,
            }),
            Err(reason) => malformed.push((c.id.clone(), reason)),
        }
    }
    (planned, malformed)
}

fn entry_of(c: &Claimed) -> Result<RewardEntry, String> {
    entry(c.wallet.as_deref(), &c.amount_wei, &c.order_reference)
}

/// The payment of `amount_wei` to `wallet` for the order `order_reference`, or why it cannot be made.
pub fn entry(
    wallet: Option<&str>,
    amount_wei: &str,
    order_reference: &str,
) -> Result<RewardEntry, String> {
    let wallet = wallet.ok_or("the reward has no referrer wallet")?;
    let to = Address::from_str(wallet.trim())
        .map_err(|_| format!("the referrer wallet {wallet:?} is not an address"))?;
    let amount = U256::from_str_radix(amount_wei, 10)
        .map_err(|_| format!("amountWei {amount_wei:?} is not a whole number"))?;
    Ok(RewardEntry {
        to,
        amount,
        order_ref: order_ref(order_reference),
    })
}

/// How far a revert reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// This entry is bad on its own (zero address, amount or order ref): it fails, the others go on.
    Entry,
    /// Already paid: it is settled as minted.
    Paid,
    /// Paused, missing role, short treasury, anything unknown: nothing can be paid now.
    Everything,
}

pub fn reach(revert: Option<&ReferralRewardsErrors>) -> Reach {
    use ReferralRewardsErrors as E;
    match revert {
        Some(
            E::ReferralRewards__ZeroAddress(_)
            | E::ReferralRewards__ZeroAmount(_)
            | E::ReferralRewards__ZeroOrderRef(_),
        ) => Reach::Entry,
        Some(E::ReferralRewards__AlreadyPaid(_)) => Reach::Paid,
        _ => Reach::Everything,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mint::MintSummary;
    use refcodes_chain::bindings::ReferralRewards as R;

    fn claimed(wallet: Option<&str>, amount: &str) -> Claimed {
        Claimed {
            id: "r1".into(),
            order_reference: "ORD-1".into(),
            wallet: wallet.map(str::to_string),
            amount_wei: amount.into(),
            from_block: 7,
            referrer_user_id: "u1".into(),
            first_claim: true,
        }
    }

    #[test]
    fn malformed_rewards_are_refused_before_any_chain_call() {
        let good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        let (planned, bad) = plan(&[
            claimed(Some(good), "1000"),
            claimed(None, "1"),
            claimed(Some("0x12"), "1"),
            claimed(Some(good), "1e18"),
        ]);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].entry.amount, U256::from(1000));
        assert_eq!(planned[0].entry.order_ref, order_ref("ORD-1"));
        let reasons: Vec<&str> = bad.iter().map(|(_, r)| r.as_str()).collect();
        assert!(reasons[0].contains("no referrer wallet"), "{reasons:?}");
        assert!(reasons[1].contains("not an address"), "{reasons:?}");
        assert!(reasons[2].contains("not a whole number"), "{reasons:?}");
    }

    #[test]
    fn only_entry_errors_fail_a_single_reward() {
        use ReferralRewardsErrors as E;
        let entry = [
            E::ReferralRewards__ZeroAddress(R::ReferralRewards__ZeroAddress {}),
            E::ReferralRewards__ZeroAmount(R::ReferralRewards__ZeroAmount {}),
            E::ReferralRewards__ZeroOrderRef(R::ReferralRewards__ZeroOrderRef {}),
        ];
        for e in &entry {
            assert_eq!(reach(Some(e)), Reach::Entry);
        }
        let paid = E::ReferralRewards__AlreadyPaid(R::ReferralRewards__AlreadyPaid {
            orderRef: B256::ZERO,
        });
        assert_eq!(reach(Some(&paid)), Reach::Paid);
        let systemic = [
            E::EnforcedPause(R::EnforcedPause {}),
            E::ReferralRewards__InsufficientTreasury(R::ReferralRewards__InsufficientTreasury {
                needed: U256::from(2),
                available: U256::from(1),
            }),
        ];
        for e in &systemic {
            assert_eq!(reach(Some(e)), Reach::Everything);
        }
        assert_eq!(reach(None), Reach::Everything);
    }

    #[test]
    fn the_summary_has_the_seed_fields() {
        let json = serde_json::to_value(MintSummary::default()).unwrap();
        for key in ["minted", "failed", "skipped", "reconciled", "txHashes"] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }
}
