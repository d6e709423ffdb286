//! The ledger ↔ chain report: every drift between them — minted in the database but not paid on chain, paid on
//! chain but not minted in the database, and payments whose recipient, amount or transaction differ from the
//! reward's. A healthy system reports nothing.
pub use crate::domain::chain_watch::{Drift, Report};
use crate::domain::reward::RewardStatus;
use crate::server::db::{self, rewards::LedgerEntry};
use crate::server::mint::{Chain, MintError};
use refcodes_chain::alloy::primitives::{Address, B256, U256};
use refcodes_chain::{order_ref, PaidEvent};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Compares every reward with `paidOrders` and every `ReferralPaid` event since `REWARDS_START_BLOCK`.
///
/// The chain's events are read before the ledger: a run that pays a reward meanwhile then shows it `minting` or
/// `minted` in the ledger, never as paid on chain but not minted here.
pub async fn report(pool: &PgPool, chain: &Chain<'_>) -> Result<Report, MintError> {
    let m = chain.minter;
    let head = m.block_number().await?;
    let from = chain.config.start_block.min(head);
    let events = m.paid_events(from, Some(head)).await?;
    let entries = db::rewards::ledger_entries(pool).await?;
    let minted: Vec<B256> = entries
        .iter()
        .filter(|e| e.status == RewardStatus::Minted)
        .map(|e| order_ref(&e.order_reference))
        .collect();
    let paid = m.are_paid(&minted).await?;
    let unpaid: HashSet<B256> = minted
        .into_iter()
        .zip(paid)
        .filter(|(_, paid)| !paid)
        .map(|(r, _)| r)
        .collect();
    Ok(Report {
        rewards: entries.len(),
        paid_events: events.len(),
        from_block: from,
        to_block: head,
        drift: drift(&entries, &unpaid, &events),
    })
}

/// The drift between the ledger (`entries`; `unpaid`: refs of minted rewards `paidOrders` denies) and the events.
pub fn drift(entries: &[LedgerEntry], unpaid: &HashSet<B256>, events: &[PaidEvent]) -> Vec<Drift> {
    let by_ref: HashMap<B256, &LedgerEntry> = entries
        .iter()
        .map(|e| (order_ref(&e.order_reference), e))
        .collect();
    let mut out: Vec<Drift> = entries
        .iter()
        .filter(|e| e.status == RewardStatus::Minted)
        .filter(|e| unpaid.contains(&order_ref(&e.order_reference)))
        .map(|e| Drift::MintedNotPaid {
            reward_id: e.id.clone(),
            order_reference: e.order_reference.clone(),
            tx_hash: e.tx_hash.clone(),
        })
        .collect();
    for event in events {
        out.extend(event_drift(by_ref.get(&event.order_ref).copied(), event));
    }
    out
}

fn event_drift(entry: Option<&LedgerEntry>, event: &PaidEvent) -> Vec<Drift> {
    let tx_hash = event.tx_hash.to_string();
    let Some(e) = entry.filter(|e| e.status == RewardStatus::Minted) else {
        if entry.is_some_and(|e| e.status == RewardStatus::Minting) {
            return Vec::new();
        }
        return vec![Drift::PaidNotMinted {
            order_ref: event.order_ref.to_string(),
            reward_id: entry.map(|e| e.id.clone()),
            status: entry.map(|e| e.status.as_str().to_string()),
            tx_hash,
        }];
    };
    let mut out = Vec::new();
    let wallet = e
        .wallet
        .as_deref()
        .and_then(|w| Address::from_str(w.trim()).ok());
    if wallet != Some(event.to) {
        out.push(Drift::RecipientMismatch {
            reward_id: e.id.clone(),
            ledger: e.wallet.clone().unwrap_or_default(),
            chain: event.to.to_string(),
            tx_hash: tx_hash.clone(),
        });
    }
    if U256::from_str_radix(&e.amount_wei, 10).ok() != Some(event.amount) {
        out.push(Drift::AmountMismatch {
            reward_id: e.id.clone(),
            ledger: e.amount_wei.clone(),
            chain: event.amount.to_string(),
            tx_hash: tx_hash.clone(),
        });
    }
    let ledger_tx = e.tx_hash.as_deref().and_then(|h| B256::from_str(h).ok());
    if ledger_tx != Some(event.tx_hash) {
        out.push(Drift::TxMismatch {
            reward_id: e.id.clone(),
            ledger: e.tx_hash.clone(),
            chain: tx_hash,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WALLET: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    fn entry(id: &str, status: &str, amount: &str) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            order_reference: format!("ORD-{id}"),
            status: RewardStatus::parse(status).unwrap(),
            wallet: Some(WALLET.to_lowercase()),
            amount_wei: amount.into(),
            tx_hash: Some(B256::repeat_byte(1).to_string()),
        }
    }

    fn event(id: &str, to: &str, amount: u64) -> PaidEvent {
        PaidEvent {
            order_ref: order_ref(&format!("ORD-{id}")),
            to: Address::from_str(to).unwrap(),
            amount: U256::from(amount),
            tx_hash: B256::repeat_byte(1),
            block_number: 5,
            log_index: 0,
        }
    }

    #[test]
    fn a_healthy_ledger_has_no_drift() {
        let entries = [
            entry("a", "minted", "100"),
            entry("b", "minting", "5"),
            entry("c", "approved", "7"),
        ];
        let events = [event("a", WALLET, 100), event("b", WALLET, 5)];
        assert!(drift(&entries, &HashSet::new(), &events).is_empty());
    }

    #[test]
    fn every_kind_of_drift_is_reported() {
        let entries = [
            entry("a", "minted", "100"),
            entry("b", "approved", "5"),
            entry("c", "minted", "7"),
            entry("d", "minted", "8"),
            LedgerEntry {
                tx_hash: None,
                ..entry("e", "minted", "3")
            },
        ];
        let other = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
        let events = [
            event("b", WALLET, 5),
            event("c", other, 7),
            event("d", WALLET, 9),
            event("e", WALLET, 3),
            event("zzz", WALLET, 1),
        ];
        let unpaid = HashSet::from([order_ref("ORD-a")]);
        let found = drift(&entries, &unpaid, &events);
        let kinds: Vec<String> = found
            .iter()
            .map(|d| {
                serde_json::to_value(d).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "mintedNotPaid",
                "paidNotMinted",
                "recipientMismatch",
                "amountMismatch",
                "txMismatch",
                "paidNotMinted"
            ]
        );
        assert!(
            matches!(&found[1], Drift::PaidNotMinted { status: Some(s), .. } if s == "approved")
        );
        assert!(matches!(
            &found[4],
            Drift::TxMismatch { reward_id, ledger: None, .. } if reward_id == "e"
        ));
        assert!(matches!(
            &found[5],
            Drift::PaidNotMinted {
                reward_id: None,
                ..
            }
        ));
    }
}
