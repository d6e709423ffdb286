//! Whether a referral code counts (seed: `attribution-service`), in one pure function for the three occasions:
//! a sign-up (the first-touch link), an order (the link, else the code the buyer signed up through) and a
//! membership upgrade (the code the member signed up through). The callers in `server/referral/attribution.rs` and
//! `server/rewards/ledger.rs` only gather the facts.
use crate::domain::refcode::CodeState;
use crate::domain::store::{Referral, Rejection};

/// A code as the guards see it; `code` is the spelling recorded on what it attributes.
#[derive(Debug, Clone, Copy)]
pub struct CodeFacts<'a> {
    pub code: &'a str,
    pub owner: &'a str,
    pub wallet: &'a str,
    pub state: CodeState,
}

/// What is being attributed.
#[derive(Debug, Clone, Copy)]
pub enum Occasion<'a> {
    /// A new account; the party is whoever is signed in on the device that signs up.
    Signup,
    /// A store or membership order: first purchase only.
    Order { buyer_has_paid_order: bool },
    /// The reward of a paid upgrade, to the code the member signed up through while it still belongs to
    /// `referred_by`; an admin's block holds the reward instead of refusing it.
    Membership { referred_by: &'a str },
}

/// Who the referral would be for: their account (none for an anonymous sign-up) and every wallet they own.
#[derive(Debug, Clone, Copy)]
pub struct Party<'a> {
    pub user_id: Option<&'a str>,
    pub wallets: &'a [String],
}

/// A referral that counts; `held` when an admin must release what it earns (a blocked code, at an upgrade).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributed {
    pub referral: Referral,
    pub held: bool,
}

/// The seed's guards, in order: the code exists (and, for an upgrade, still has the owner who referred the
/// member), is active and not blocked by an admin, is not the party's own, is used on a first purchase (orders),
/// and does not pay to one of the party's wallets (compared case-insensitively).
pub fn attribute(
    occasion: Occasion<'_>,
    code: Option<CodeFacts<'_>>,
    party: Party<'_>,
) -> Result<Attributed, Rejection> {
    let code = code.ok_or(Rejection::UnknownCode)?;
    if let Occasion::Membership { referred_by } = occasion {
        if code.owner != referred_by {
            return Err(Rejection::OwnerChanged);
        }
    }
    let held = match (code.state, occasion) {
        (CodeState::Active, _) => false,
        (CodeState::Inactive, _) => return Err(Rejection::InactiveCode),
        (CodeState::Blocked, Occasion::Membership { .. }) => true,
        (CodeState::Blocked, _) => return Err(Rejection::BlockedCode),
    };
    if party.user_id == Some(code.owner) {
        return Err(Rejection::SelfReferral);
    }
    if let Occasion::Order {
        buyer_has_paid_order: true,
    } = occasion
    {
        return Err(Rejection::NotFirstPurchase);
    }
    if party
        .wallets
        .iter()
        .any(|w| w.eq_ignore_ascii_case(code.wallet))
    {
        return Err(Rejection::WalletOverlap);
    }
    Ok(Attributed {
        referral: Referral {
            referral_code: code.code.to_string(),
            referrer_user_id: code.owner.to_string(),
            referrer_wallet: code.wallet.to_string(),
        },
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const ORDER: Occasion = Occasion::Order {
        buyer_has_paid_order: false,
    };
    const UPGRADE: Occasion = Occasion::Membership { referred_by: "ref" };

    fn code(owner: &str, state: CodeState) -> Option<CodeFacts<'_>> {
        Some(CodeFacts {
            code: "CODE",
            owner,
            wallet: W,
            state,
        })
    }

    fn buyer(wallets: &[String]) -> Party<'_> {
        Party {
            user_id: Some("buyer"),
            wallets,
        }
    }

    #[test]
    fn an_active_code_of_someone_else_counts_on_every_occasion() {
        let anonymous = Party {
            user_id: None,
            wallets: &[],
        };
        for (occasion, party) in [
            (Occasion::Signup, anonymous),
            (ORDER, buyer(&[])),
            (UPGRADE, buyer(&[])),
        ] {
            let ok = attribute(occasion, code("ref", CodeState::Active), party).unwrap();
            assert_eq!(
                (ok.referral.referrer_user_id.as_str(), ok.held),
                ("ref", false)
            );
            assert_eq!(ok.referral.referrer_wallet, W);
        }
    }

    #[test]
    fn each_order_guard_rejects_with_its_reason() {
        let mine = vec![W.to_lowercase()];
        let paid = Occasion::Order {
            buyer_has_paid_order: true,
        };
        let cases = [
            (ORDER, None, buyer(&[]), Rejection::UnknownCode),
            (
                ORDER,
                code("ref", CodeState::Inactive),
                buyer(&[]),
                Rejection::InactiveCode,
            ),
            (
                ORDER,
                code("ref", CodeState::Blocked),
                buyer(&[]),
                Rejection::BlockedCode,
            ),
            (
                ORDER,
                code("buyer", CodeState::Active),
                buyer(&[]),
                Rejection::SelfReferral,
            ),
            (
                paid,
                code("ref", CodeState::Active),
                buyer(&[]),
                Rejection::NotFirstPurchase,
            ),
            (
                ORDER,
                code("ref", CodeState::Active),
                buyer(&mine),
                Rejection::WalletOverlap,
            ),
        ];
        for (occasion, facts, party, why) in cases {
            assert_eq!(attribute(occasion, facts, party), Err(why));
        }
    }

    #[test]
    fn a_sign_up_refuses_the_owner_and_a_blocked_or_switched_off_code() {
        let owner = Party {
            user_id: Some("ref"),
            wallets: &[],
        };
        let signup = |facts, party| attribute(Occasion::Signup, facts, party);
        assert_eq!(
            signup(code("ref", CodeState::Active), owner),
            Err(Rejection::SelfReferral)
        );
        assert_eq!(
            signup(code("ref", CodeState::Blocked), buyer(&[])),
            Err(Rejection::BlockedCode)
        );
        assert_eq!(
            signup(code("ref", CodeState::Inactive), buyer(&[])),
            Err(Rejection::InactiveCode)
        );
    }

    #[test]
    fn an_upgrade_is_held_by_a_block_and_refused_when_the_code_changed_hands_or_pays_the_member() {
        let held = attribute(UPGRADE, code("ref", CodeState::Blocked), buyer(&[])).unwrap();
        assert!(held.held);
        let mine = vec![W.to_string()];
        for (facts, party, why) in [
            (
                code("other", CodeState::Active),
                buyer(&[]),
                Rejection::OwnerChanged,
            ),
            (
                code("ref", CodeState::Inactive),
                buyer(&[]),
                Rejection::InactiveCode,
            ),
            (
                code("ref", CodeState::Active),
                buyer(&mine),
                Rejection::WalletOverlap,
            ),
            (None, buyer(&[]), Rejection::UnknownCode),
        ] {
            assert_eq!(attribute(UPGRADE, facts, party), Err(why));
        }
    }

    #[test]
    fn an_upgrade_never_asks_for_a_first_purchase() {
        let upgrade = attribute(UPGRADE, code("ref", CodeState::Active), buyer(&[]));
        assert!(upgrade.is_ok());
    }
}
