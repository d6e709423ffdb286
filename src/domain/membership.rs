//! Membership tiers: what an upgrade costs. `basic` is everyone's start and free.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub id: &'static str,
    /// Higher ranks include lower ones; an upgrade goes up only.
    pub rank: u8,
    /// Price in minor units of [`TIER_CURRENCY`].
    pub price: i64,
}

pub const TIER_CURRENCY: &str = "UAH";

pub const TIERS: [Tier; 3] = [
    Tier {
        id: "basic",
        rank: 0,
        price: 0,
    },
    Tier {
        id: "plus",
        rank: 1,
        price: 19_900,
    },
    Tier {
        id: "pro",
        rank: 2,
        price: 49_900,
    },
];

pub fn tier(id: &str) -> Option<Tier> {
    TIERS.into_iter().find(|t| t.id == id)
}

/// The tier a member holds (no membership yet: `basic`).
pub fn current(membership: Option<&str>) -> Tier {
    membership.and_then(tier).unwrap_or(TIERS[0])
}

/// Whether a member on `from` can buy `to`.
pub fn is_upgrade(from: Option<&str>, to: &Tier) -> bool {
    to.price > 0 && to.rank > current(from).rank
}

/// The membership page: the tiers on offer, and whether the reader is signed in (else upgrades need a sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierBoard {
    pub signed_in: bool,
    pub tiers: Vec<TierOffer>,
}

/// A membership tier on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierOffer {
    pub id: String,
    pub price: i64,
    pub currency: String,
    pub current: bool,
    pub available: bool,
}

/// Every tier as the reader sees it: `None` is an anonymous reader (holding the free tier; buying an upgrade
/// takes a sign-in first), `Some(membership)` a member's.
pub fn tier_board(reader: Option<Option<&str>>) -> TierBoard {
    let membership = reader.flatten();
    let held = current(membership);
    TierBoard {
        signed_in: reader.is_some(),
        tiers: TIERS
            .iter()
            .map(|t| TierOffer {
                id: t.id.to_string(),
                price: t.price,
                currency: TIER_CURRENCY.to_string(),
                current: t.id == held.id,
                available: is_upgrade(membership, t),
            })
            .collect(),
    }
}

/// The highest of the tiers a member's standing upgrades granted (`None`: the free tier).
pub fn highest<'a>(tiers: impl IntoIterator<Item = &'a str>) -> Option<Tier> {
    tiers
        .into_iter()
        .filter_map(tier)
        .filter(|t| t.price > 0)
        .max_by_key(|t| t.rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(board: &TierBoard) -> Vec<(&str, bool, bool)> {
        let tiers = board.tiers.iter();
        tiers
            .map(|t| (t.id.as_str(), t.current, t.available))
            .collect()
    }

    #[test]
    fn the_tier_board_offers_only_upgrades_and_marks_the_tier_held() {
        let anonymous = tier_board(None);
        assert!(!anonymous.signed_in);
        let expected = [
            ("basic", true, false),
            ("plus", false, true),
            ("pro", false, true),
        ];
        assert_eq!(offered(&anonymous), expected);
        let new_member = tier_board(Some(None));
        assert!(new_member.signed_in);
        assert_eq!(offered(&new_member), expected);
        let plus = tier_board(Some(Some("plus")));
        let expected = [
            ("basic", false, false),
            ("plus", true, false),
            ("pro", false, true),
        ];
        assert_eq!(offered(&plus), expected);
        assert!(plus.tiers.iter().all(|t| t.currency == TIER_CURRENCY));
    }

    #[test]
    fn the_tier_held_is_the_highest_standing_one() {
        assert_eq!(highest(["plus", "pro", "plus"]).map(|t| t.id), Some("pro"));
        assert_eq!(highest(["plus"]).map(|t| t.id), Some("plus"));
        assert_eq!(highest(["basic", "nonsense"]), None);
        assert_eq!(highest([]), None);
    }

    #[test]
    fn upgrades_go_up_only() {
        let plus = tier("plus").unwrap();
        let pro = tier("pro").unwrap();
        assert!(is_upgrade(None, &plus));
        assert!(is_upgrade(Some("plus"), &pro));
        assert!(!is_upgrade(Some("pro"), &plus));
        assert!(!is_upgrade(Some("plus"), &plus));
        assert!(!is_upgrade(None, &tier("basic").unwrap()));
        assert_eq!(current(Some("nonsense")).id, "basic");
    }
}
