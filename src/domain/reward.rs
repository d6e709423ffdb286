//! Referral rewards: their statuses and the only legal moves between them.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewardStatus {
    Pending,
    Approved,
    Minting,
    Minted,
    /// Settled entirely against the referrer's clawbacks: nothing of it is minted.
    Netted,
    Rejected,
    Voided,
    Failed,
}

impl RewardStatus {
    pub const ALL: [RewardStatus; 8] = [
        RewardStatus::Pending,
        RewardStatus::Approved,
        RewardStatus::Minting,
        RewardStatus::Minted,
        RewardStatus::Netted,
        RewardStatus::Rejected,
        RewardStatus::Voided,
        RewardStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RewardStatus::Pending => "pending",
            RewardStatus::Approved => "approved",
            RewardStatus::Minting => "minting",
            RewardStatus::Minted => "minted",
            RewardStatus::Netted => "netted",
            RewardStatus::Rejected => "rejected",
            RewardStatus::Voided => "voided",
            RewardStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<RewardStatus> {
        RewardStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The statuses a reward may move to `self` from: pending → approved → minting → minted;
    /// pending → rejected; pending/approved/failed → voided; approved/minting → failed;
    /// failed → approved (an admin's retry); minting → approved (reconciled: not paid on chain);
    /// approved → netted (settled against clawbacks before minting); minted → minting (a reorganisation took its
    /// transaction back: it waits on its nonce again).
    pub fn legal_sources(self) -> &'static [RewardStatus] {
        use RewardStatus::*;
        match self {
            Pending => &[],
            Approved => &[Pending, Failed, Minting],
            Minting => &[Approved, Minted],
            Minted => &[Minting],
            Netted => &[Approved],
            Rejected => &[Pending],
            Voided => &[Pending, Approved, Failed],
            Failed => &[Approved, Minting],
        }
    }

    pub fn can_become(self, to: RewardStatus) -> bool {
        to.legal_sources().contains(&self)
    }

    /// Nothing will happen to it any more (short of a reorganisation taking a minted reward's transaction back).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RewardStatus::Minted
                | RewardStatus::Netted
                | RewardStatus::Rejected
                | RewardStatus::Voided
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewardKind {
    Store,
    Membership,
}

impl RewardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardKind::Store => "store",
            RewardKind::Membership => "membership",
        }
    }
}

/// A reward as its referrer sees it on `/refcodes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyReward {
    pub id: String,
    pub order_reference: String,
    pub kind: RewardKind,
    pub referral_code: String,
    pub rail: crate::domain::store::Rail,
    pub fiat_amount: i64,
    pub currency: String,
    /// What is (or will be) minted: the sized amount less what was netted against clawbacks.
    pub amount_wei: String,
    /// What of the sized amount went to the referrer's clawbacks ("0" for most rewards).
    pub netted_wei: String,
    /// Waiting for a price in its currency (none configured, or the feed did not answer): it is not sized yet.
    pub price_needed: bool,
    pub status: RewardStatus,
    pub tx_hash: Option<String>,
    /// Until when a card reward waits out its refund window, while it does (pending or approved).
    pub hold_until: Option<chrono::DateTime<chrono::Utc>>,
    /// Unpaid and waiting for its referrer to prove the wallet it pays to (the minter does not claim it until then).
    pub held_for_wallet: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A member's rewards are listed this many at a time.
pub const REWARDS_PAGE: usize = 50;

/// A page of the rewards a member earned, where their transactions are shown, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EarnedRewards {
    pub rewards: Vec<MyReward>,
    /// The referrer's clawbacks, newest first (with the first page only).
    pub clawbacks: Vec<Clawback>,
    pub tx_links: TxLinks,
    pub next_cursor: Option<String>,
}

/// Where a clawback stands: something is left to net, nothing is, or an admin waived what was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClawbackStatus {
    Open,
    Settled,
    Waived,
}

impl ClawbackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClawbackStatus::Open => "open",
            ClawbackStatus::Settled => "settled",
            ClawbackStatus::Waived => "waived",
        }
    }

    pub fn parse(raw: &str) -> Option<ClawbackStatus> {
        [
            ClawbackStatus::Open,
            ClawbackStatus::Settled,
            ClawbackStatus::Waived,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// What a referrer owes back for a paid-out reward whose order was refunded: `amount_wei` in token base units,
/// `netted_wei` of it taken from later rewards, `left_wei` still to take (nothing once waived or settled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clawback {
    pub id: String,
    pub reward_id: String,
    pub order_reference: String,
    pub referral_code: String,
    /// The referrer's email, for the admin's list (`None` on the member's own page).
    pub referrer_email: Option<String>,
    pub amount_wei: String,
    pub netted_wei: String,
    pub left_wei: String,
    pub status: ClawbackStatus,
    pub waived_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Links a transaction hash to the block explorer: `CHAIN_EXPLORER_TX_URL` with `{tx}` replaced by the hash.
/// Without a template there is no explorer (a local chain, say) and the hash is shown as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxLinks(pub Option<String>);

impl TxLinks {
    pub const PLACEHOLDER: &'static str = "{tx}";

    pub fn link(&self, hash: &str) -> Option<String> {
        let hash_is_plain =
            hash.starts_with("0x") && hash[2..].bytes().all(|b| b.is_ascii_hexdigit());
        let template = self.0.as_deref().filter(|_| hash_is_plain)?;
        Some(template.replace(Self::PLACEHOLDER, hash))
    }
}

#[cfg(test)]
mod tests {
    use super::RewardStatus::*;
    use super::*;

    #[test]
    fn the_happy_path_is_legal() {
        for (from, to) in [
            (Pending, Approved),
            (Approved, Minting),
            (Minting, Minted),
            (Pending, Rejected),
            (Pending, Voided),
            (Approved, Voided),
            (Minting, Failed),
            (Failed, Approved),
            (Minting, Approved),
        ] {
            assert!(from.can_become(to), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn final_states_never_move_and_shortcuts_are_illegal() {
        for status in [Minted, Rejected, Voided] {
            assert!(status.is_final());
            for to in RewardStatus::ALL {
                let reorg = (status, to) == (Minted, Minting);
                assert_eq!(status.can_become(to), reorg, "{status:?} → {to:?}");
            }
        }
        for (from, to) in [
            (Pending, Minting),
            (Pending, Minted),
            (Approved, Minted),
            (Approved, Rejected),
            (Minting, Voided),
            (Approved, Pending),
        ] {
            assert!(!from.can_become(to), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn statuses_parse_back() {
        for s in RewardStatus::ALL {
            assert_eq!(RewardStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(RewardStatus::parse("paid"), None);
    }

    #[test]
    fn a_transaction_links_to_the_explorer_template_only_when_one_is_set() {
        let hash = "0x8f3a0c2b9e4d5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e";
        let links = TxLinks(Some("https://sepolia.etherscan.io/tx/{tx}".into()));
        assert_eq!(
            links.link(hash).as_deref(),
            Some("https://sepolia.etherscan.io/tx/0x8f3a0c2b9e4d5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e")
        );
        assert_eq!(TxLinks(None).link(hash), None);
        assert_eq!(links.link("javascript:alert(1)"), None);
    }
}
