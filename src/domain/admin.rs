//! What the admin ledger shows and the actions an admin may take on rewards (pure; shared with the page).
use crate::domain::reward::{RewardKind, RewardStatus};
use crate::domain::store::{AttributedVia, Rail};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// One admin action as the audit log page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    /// How many records it touched.
    pub count: usize,
    pub after: String,
    pub reason: Option<String>,
}

/// Bulk actions touch at most this many rewards at once.
pub const BULK_CAP: usize = 10_000;
pub const PAGE_SIZE: u32 = 50;
pub const MAX_REASON: usize = 500;

/// An admin's reason (a rejection, a waived clawback), trimmed: 1 to [`MAX_REASON`] characters, no control
/// characters but line breaks and tabs.
pub fn required_reason(raw: &str) -> Result<String, crate::error::AppError> {
    let reason = raw.trim();
    let control = reason
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    if reason.is_empty() || control || reason.chars().count() > MAX_REASON {
        return Err(crate::error::AppError::ReasonRequired {
            max: MAX_REASON as u32,
        });
    }
    Ok(reason.to_string())
}

/// The ledger's filters; `None` is "any". `search` matches an order reference or a buyer's or referrer's email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardFilter {
    pub status: Option<RewardStatus>,
    pub rail: Option<Rail>,
    pub kind: Option<RewardKind>,
    pub code: Option<String>,
    pub referrer: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub search: Option<String>,
}

/// One row of the admin ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminReward {
    pub id: String,
    pub order_reference: String,
    pub kind: RewardKind,
    pub buyer_email: Option<String>,
    pub referrer_email: Option<String>,
    pub referral_code: String,
    pub referrer_wallet: String,
    /// How the referral reached the order (the guards — self-referral, first purchase, wallet overlap — passed).
    pub attributed_via: Option<AttributedVia>,
    pub rail: Rail,
    pub fiat_amount: i64,
    pub currency: String,
    pub amount_wei: String,
    /// Waiting for a price in its currency: it cannot be approved until it has one.
    pub price_needed: bool,
    pub oracle_price: Option<String>,
    pub oracle_decimals: Option<i64>,
    pub oracle_source: Option<String>,
    pub status: RewardStatus,
    pub last_error: Option<String>,
    pub rejected_reason: Option<String>,
    pub approved_by: Option<String>,
    pub tx_hash: Option<String>,
    pub block_number: Option<i64>,
    /// What of the sized amount was netted against the referrer's clawbacks ("0" for most rewards).
    pub netted_wei: String,
    /// Paid out, then its order was refunded: the clawback recorded against the referrer (token base units).
    pub clawback_wei: Option<String>,
    /// Until when a card reward waits out its refund window, while it does.
    pub hold_until: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Rewards of one status matching the filter, with their fiat (minor units) and token (base units) sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusTotal {
    pub status: RewardStatus,
    /// Fiat sums are per currency: one total per status and currency.
    pub currency: String,
    pub count: i64,
    pub fiat_amount: i64,
    pub amount_wei: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardPage {
    pub rows: Vec<AdminReward>,
    pub next_cursor: Option<String>,
    pub totals: Vec<StatusTotal>,
    pub tx_links: crate::domain::reward::TxLinks,
}

/// One referral code in the admin's overview, with its funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminCode {
    pub code: String,
    pub owner_email: Option<String>,
    pub wallet: String,
    pub label: Option<String>,
    /// The owner's switch.
    pub active: bool,
    /// An admin's block (only an admin lifts it).
    pub blocked: bool,
    pub visits: i64,
    pub signups: i64,
    /// Paid orders it attributed.
    pub orders: i64,
    pub rewards: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A page of codes in code order; `next_cursor` is the last code shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodePage {
    pub codes: Vec<AdminCode>,
    pub next_cursor: Option<String>,
}

/// What an admin does to rewards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum AdminAction {
    Approve,
    Reject {
        reason: String,
    },
    Void,
    /// A failed reward goes back to `approved` for the next mint run.
    Retry,
}

impl AdminAction {
    /// `approve`, `reject` (with `reason`), `void` or `retry`.
    pub fn parse(name: &str, reason: Option<String>) -> Option<AdminAction> {
        Some(match name {
            "approve" => AdminAction::Approve,
            "reject" => AdminAction::Reject {
                reason: reason.unwrap_or_default(),
            },
            "void" => AdminAction::Void,
            "retry" => AdminAction::Retry,
            _ => return None,
        })
    }

    /// An action named in a request body: an unknown name is a 400 that lists the known ones.
    pub fn from_body(name: &str, reason: Option<String>) -> Result<AdminAction, AppError> {
        AdminAction::parse(name, reason).ok_or_else(|| {
            AppError::BadRequest(format!(
                "unknown action {name:?}: approve, reject, void or retry"
            ))
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            AdminAction::Approve => "approve",
            AdminAction::Reject { .. } => "reject",
            AdminAction::Void => "void",
            AdminAction::Retry => "retry",
        }
    }

    /// Where the action takes a reward, and from which statuses an admin may start it.
    pub fn moves(&self) -> (&'static [RewardStatus], RewardStatus) {
        use RewardStatus::*;
        match self {
            AdminAction::Approve => (&[Pending], Approved),
            AdminAction::Reject { .. } => (&[Pending], Rejected),
            AdminAction::Void => (&[Pending, Approved, Failed], Voided),
            AdminAction::Retry => (&[Failed], Approved),
        }
    }

    /// The reason of a rejection, trimmed; a rejection needs one.
    pub fn reason(&self) -> Result<Option<String>, crate::error::AppError> {
        match self {
            AdminAction::Reject { reason } => required_reason(reason).map(Some),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_moves_are_legal_and_narrow() {
        for action in [
            AdminAction::Approve,
            AdminAction::Reject { reason: "x".into() },
            AdminAction::Void,
            AdminAction::Retry,
        ] {
            let (from, to) = action.moves();
            assert!(from.iter().all(|s| s.can_become(to)), "{action:?}");
        }
        assert!(!AdminAction::Approve
            .moves()
            .0
            .contains(&RewardStatus::Minting));
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert!(AdminAction::Reject {
            reason: "  ".into()
        }
        .reason()
        .is_err());
        assert!(AdminAction::Reject {
            reason: "x".repeat(501)
        }
        .reason()
        .is_err());
        assert_eq!(
            AdminAction::Reject {
                reason: " spam ".into()
            }
            .reason()
            .unwrap(),
            Some("spam".into())
        );
        assert_eq!(AdminAction::Void.reason().unwrap(), None);
    }

    #[test]
    fn a_reason_carries_no_control_characters_but_line_breaks() {
        assert!(required_reason("fraud\u{0}").is_err());
        assert!(required_reason("a\u{1b}[31m").is_err());
        assert_eq!(required_reason("two\nlines\tok").unwrap(), "two\nlines\tok");
    }
}

/// Why a paid order should be paid back: a second payment by another rail, or an upgrade that applied nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RefundReason {
    /// Paid by card after it had been paid with credit (or the other way round).
    PaidTwice,
    /// A membership order paid when the member already held that tier or a higher one.
    NotAnUpgrade,
}

/// A paid order an admin should refund (the `toRefund` mark), newest first on the admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderToRefund {
    pub order_reference: String,
    pub buyer_email: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub rail: Option<Rail>,
    pub reason: RefundReason,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
