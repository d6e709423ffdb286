//! The reward document stored in `referral_rewards.data`, and the patch each status move merges into it.
//! These types are the only code that knows the document's keys; what a reward shows its referrer or an
//! admin, and which status it starts in, are decided here from the typed document.
use crate::domain::admin::AdminReward;
use crate::domain::reward::{MyReward, RewardKind, RewardStatus};
use crate::domain::store::{AttributedVia, Rail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A reward as stored. Optional fields are absent (never `null`) when unset on insert: the queries test the
/// presence of `mintBatch` and `nettedWei`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardDoc {
    pub order_reference: String,
    pub kind: RewardKind,
    pub referral_code: String,
    pub referrer_user_id: String,
    #[serde(default)]
    pub referrer_wallet: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_via: Option<AttributedVia>,
    #[serde(default)]
    pub buyer_user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    pub rail: Rail,
    /// In minor units of `currency`.
    pub fiat_amount: i64,
    pub currency: String,
    #[serde(default)]
    pub rate_bps: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<OracleDoc>,
    /// In token base units: what is (or will be) minted.
    pub amount_wei: String,
    /// What of the sized amount was netted against the referrer's clawbacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netted_wei: Option<String>,
    #[serde(default)]
    pub price_needed: bool,
    pub status: RewardStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_number: Option<i64>,
    #[serde(default)]
    pub attempts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_reason: Option<String>,
    /// Why it waits for an admin whatever its rail (`codeBlocked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<String>,
    /// A card reward waits out the refund window until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_until: Option<DateTime<Utc>>,
}

/// The price a reward was sized with, frozen on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OracleDoc {
    /// The feed's answer for one token, in `decimals` decimals of the currency.
    pub price: String,
    pub decimals: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    pub source: String,
}

/// How a new reward starts: an automatic approval on the crypto rail when it has a price and nothing holds it;
/// pending (an admin decides, or the price comes later) otherwise.
pub fn initial_status(priced: bool, rail: Rail, held: bool) -> RewardStatus {
    match (priced, rail, held) {
        (true, Rail::Crypto, false) => RewardStatus::Approved,
        _ => RewardStatus::Pending,
    }
}

impl RewardDoc {
    /// Until when it waits out its refund window, while it does (pending or approved, the date still ahead).
    pub fn holding_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.hold_until.filter(|until| {
            *until > now && matches!(self.status, RewardStatus::Pending | RewardStatus::Approved)
        })
    }

    fn netted(&self) -> String {
        self.netted_wei.clone().unwrap_or_else(|| "0".to_string())
    }

    /// As its referrer sees it; `held_for_wallet` comes from the referrer's wallet proofs.
    pub fn to_member_view(
        self,
        id: String,
        created_at: DateTime<Utc>,
        held_for_wallet: bool,
        now: DateTime<Utc>,
    ) -> MyReward {
        MyReward {
            hold_until: self.holding_until(now),
            netted_wei: self.netted(),
            id,
            order_reference: self.order_reference,
            kind: self.kind,
            referral_code: self.referral_code,
            rail: self.rail,
            fiat_amount: self.fiat_amount,
            currency: self.currency,
            amount_wei: self.amount_wei,
            price_needed: self.price_needed,
            status: self.status,
            tx_hash: self.tx_hash,
            held_for_wallet,
            created_at,
        }
    }

    /// As the admin ledger lists it; the emails and the clawback come from other collections.
    pub fn to_admin_view(self, row: AdminRowFacts, now: DateTime<Utc>) -> AdminReward {
        let oracle = self.oracle.as_ref();
        AdminReward {
            hold_until: self.holding_until(now),
            netted_wei: self.netted(),
            oracle_price: oracle.map(|o| o.price.clone()),
            oracle_decimals: oracle.map(|o| o.decimals.into()),
            oracle_source: oracle.map(|o| o.source.clone()),
            id: row.id,
            order_reference: self.order_reference,
            kind: self.kind,
            buyer_email: row.buyer_email,
            referrer_email: row.referrer_email,
            referral_code: self.referral_code,
            referrer_wallet: self.referrer_wallet,
            attributed_via: self.attributed_via,
            rail: self.rail,
            fiat_amount: self.fiat_amount,
            currency: self.currency,
            amount_wei: self.amount_wei,
            price_needed: self.price_needed,
            status: self.status,
            last_error: self.last_error,
            rejected_reason: self.rejected_reason,
            approved_by: self.approved_by,
            tx_hash: self.tx_hash,
            block_number: self.block_number,
            clawback_wei: row.clawback_wei,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// What the admin ledger shows of a reward beyond its document.
pub struct AdminRowFacts {
    pub id: String,
    pub buyer_email: Option<String>,
    pub referrer_email: Option<String>,
    pub clawback_wei: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A status move and what it records on the reward. [`RewardPatch::status`] is where it goes; the legal sources
/// are [`RewardStatus::legal_sources`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardPatch {
    /// An admin approved it (pending → approved).
    Approved { by: String, at: DateTime<Utc> },
    /// An admin retries a failed one (failed → approved).
    Retried { by: String, at: DateTime<Utc> },
    Rejected {
        reason: String,
        by: String,
        at: DateTime<Utc>,
    },
    /// Its order was refunded (`by` none) or an admin voided it.
    Voided {
        why: String,
        by: Option<String>,
        at: DateTime<Utc>,
    },
    /// It reverts on its own: the mint run gives up on it (approved → failed).
    Failed { why: String },
    /// The contract already paid it when a run claimed it: minting, to be settled from the chain at once.
    PaidBefore,
    /// Its transaction was mined in `block`.
    Minted { tx: String, block: i64 },
    /// Paid by a transaction other than the ones it waited on (found through `paidOrders`), if that is known.
    MintedElsewhere {
        tx: Option<String>,
        block: Option<i64>,
    },
    /// Back to approved, to be sent again: its batch never reached the pool (unsigned, over the fee cap,
    /// refused by the node).
    Unsent { why: String },
    /// Back to approved, to be sent again: its transaction `last_tx` (none for a reward sent before hashes were
    /// recorded) was not mined or reverted.
    NotPaid {
        why: String,
        last_tx: Option<String>,
    },
    /// A reorganisation took its payment `tx` back: it waits on its nonce again.
    Reorged { tx: Option<String>, why: String },
}

impl RewardPatch {
    pub fn status(&self) -> RewardStatus {
        match self {
            RewardPatch::Approved { .. } | RewardPatch::Retried { .. } => RewardStatus::Approved,
            RewardPatch::Unsent { .. } | RewardPatch::NotPaid { .. } => RewardStatus::Approved,
            RewardPatch::Rejected { .. } => RewardStatus::Rejected,
            RewardPatch::Voided { .. } => RewardStatus::Voided,
            RewardPatch::Failed { .. } => RewardStatus::Failed,
            RewardPatch::PaidBefore | RewardPatch::Reorged { .. } => RewardStatus::Minting,
            RewardPatch::Minted { .. } | RewardPatch::MintedElsewhere { .. } => {
                RewardStatus::Minted
            }
        }
    }

    /// The keys merged into the document (the status itself is set by the move).
    pub(super) fn to_json(&self) -> Value {
        match self {
            RewardPatch::Approved { by, at } => json!({ "approvedBy": by, "approvedAt": at }),
            RewardPatch::Retried { by, at } => {
                json!({ "lastError": null, "retriedBy": by, "retriedAt": at })
            }
            RewardPatch::Rejected { reason, by, at } => {
                json!({ "rejectedReason": reason, "rejectedBy": by, "rejectedAt": at })
            }
            RewardPatch::Voided { why, by, at } => {
                json!({ "voidedReason": why, "voidedBy": by, "voidedAt": at })
            }
            RewardPatch::Failed { why } => json!({ "lastError": why }),
            RewardPatch::PaidBefore => json!({ "lastError": null }),
            RewardPatch::Minted { tx, block } => {
                json!({ "txHash": tx, "blockNumber": block, "lastError": null })
            }
            RewardPatch::MintedElsewhere { tx, block } => json!({
                "txHash": tx, "blockNumber": block, "lastError": null, "settledFrom": "paidOrders",
            }),
            RewardPatch::Unsent { why } => {
                json!({ "txHash": null, "txHashes": [], "txNonce": null, "lastError": why })
            }
            RewardPatch::NotPaid { why, last_tx } => json!({
                "txHash": null, "txHashes": [], "txNonce": null, "blockNumber": null,
                "lastTxHash": last_tx, "lastError": why,
            }),
            RewardPatch::Reorged { tx, why } => {
                json!({ "blockNumber": null, "reorgedTxHash": tx, "lastError": why })
            }
        }
    }
}

/// A stored reward that does not read (a document or a status no release wrote): logged and counted
/// (`refcodes_reward_rows_unreadable_total`), and an error for the caller, never skipped.
fn unreadable(id: &str, what: impl std::fmt::Display) -> sqlx::Error {
    metrics::counter!("refcodes_reward_rows_unreadable_total").increment(1);
    tracing::error!(reward = id, error = %what, "a stored reward does not read: repair its document");
    sqlx::Error::Decode(format!("reward {id} does not read: {what}").into())
}

pub(in crate::server::db) fn read(id: &str, data: Value) -> sqlx::Result<RewardDoc> {
    serde_json::from_value(data).map_err(|e| unreadable(id, e))
}

pub(in crate::server::db) fn read_status(id: &str, raw: &str) -> sqlx::Result<RewardStatus> {
    RewardStatus::parse(raw).ok_or_else(|| unreadable(id, format!("unknown status {raw:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(status: RewardStatus) -> RewardDoc {
        serde_json::from_value(json!({
            "orderReference": "R-1", "kind": "store", "referralCode": "CODE", "referrerUserId": "u1",
            "referrerWallet": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "rail": "fiat",
            "fiatAmount": 500, "currency": "UAH", "amountWei": "10", "status": status.as_str(),
            "holdUntil": "2030-01-01T00:00:00Z",
        }))
        .unwrap()
    }

    #[test]
    fn only_a_priced_unheld_crypto_reward_starts_approved() {
        assert_eq!(
            initial_status(true, Rail::Crypto, false),
            RewardStatus::Approved
        );
        for (priced, rail, held) in [
            (false, Rail::Crypto, false),
            (true, Rail::Crypto, true),
            (true, Rail::Fiat, false),
        ] {
            assert_eq!(initial_status(priced, rail, held), RewardStatus::Pending);
        }
    }

    #[test]
    fn a_written_document_reads_back_without_the_keys_it_does_not_have() {
        let d = doc(RewardStatus::Pending);
        let written = serde_json::to_value(&d).unwrap();
        assert!(written.get("nettedWei").is_none() && written.get("txHash").is_none());
        assert_eq!(serde_json::from_value::<RewardDoc>(written).unwrap(), d);
    }

    #[test]
    fn the_hold_shows_only_ahead_and_while_unpaid() {
        let now = "2029-01-01T00:00:00Z".parse().unwrap();
        assert!(doc(RewardStatus::Approved).holding_until(now).is_some());
        assert!(doc(RewardStatus::Minted).holding_until(now).is_none());
        let later = "2031-01-01T00:00:00Z".parse().unwrap();
        assert!(doc(RewardStatus::Pending).holding_until(later).is_none());
    }

    #[test]
    fn every_patch_names_its_status_and_what_went_back_keeps_its_last_transaction() {
        let not_paid = RewardPatch::NotPaid {
            why: "not mined".into(),
            last_tx: Some("0xab".into()),
        };
        assert_eq!(not_paid.status(), RewardStatus::Approved);
        assert_eq!(not_paid.to_json()["lastTxHash"], "0xab");
        assert!(not_paid.to_json()["txHashes"]
            .as_array()
            .unwrap()
            .is_empty());
        let unsent = RewardPatch::Unsent {
            why: "refused".into(),
        };
        assert_eq!(unsent.status(), RewardStatus::Approved);
        assert!(unsent.to_json().get("lastTxHash").is_none());
        assert_eq!(RewardPatch::PaidBefore.status(), RewardStatus::Minting);
        let reorged = RewardPatch::Reorged {
            tx: None,
            why: "gone".into(),
        };
        assert_eq!(reorged.status(), RewardStatus::Minting);
    }

    #[test]
    fn a_document_with_an_unknown_status_is_an_error() {
        let mut bad = serde_json::to_value(doc(RewardStatus::Pending)).unwrap();
        bad["status"] = json!("paid");
        assert!(read("r1", bad).is_err());
        assert!(read_status("r1", "paid").is_err());
    }
}
