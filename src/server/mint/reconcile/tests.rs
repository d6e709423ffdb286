use super::*;
use refcodes_chain::alloy::primitives::U256;
use refcodes_chain::tx::{Payment, PaymentLogs};

const WALLET: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

fn receipt(success: bool, block: u64, paid: &[&str]) -> MintReceipt {
    MintReceipt {
        tx_hash: B256::repeat_byte(7),
        block_number: block,
        success,
        gas_used: 1,
        logs: PaymentLogs {
            paid: paid
                .iter()
                .map(|r| Payment {
                    order_ref: order_ref(r),
                    to: Address::ZERO,
                    amount: U256::from(1),
                })
                .collect(),
            skipped: Vec::new(),
        },
    }
}

#[test]
fn a_reward_is_minted_by_its_own_confirmed_transaction_only() {
    let r = order_ref("ORD-1");
    let own = receipt(true, 10, &["ORD-1"]);
    assert_eq!(
        verdict(Some(&own), r, true, 10, 1, false),
        Verdict::Minted {
            tx: B256::repeat_byte(7),
            block: 10
        }
    );
    assert_eq!(verdict(Some(&own), r, true, 10, 3, false), Verdict::Pending);
    assert!(matches!(
        verdict(Some(&own), r, true, 12, 3, false),
        Verdict::Minted { .. }
    ));
    // Skipped by its transaction (paid before), or the transaction reverted / is unknown.
    let other = receipt(true, 10, &["ORD-2"]);
    assert_eq!(
        verdict(Some(&other), r, true, 10, 1, false),
        Verdict::PaidElsewhere
    );
    assert_eq!(
        verdict(Some(&receipt(false, 10, &[])), r, false, 10, 1, false),
        Verdict::NotPaid
    );
    assert_eq!(verdict(None, r, true, 10, 1, false), Verdict::PaidElsewhere);
    assert_eq!(verdict(None, r, false, 10, 1, false), Verdict::NotPaid);
}

#[test]
fn an_unmined_reward_waits_while_its_nonce_is_open_and_only_then() {
    let r = order_ref("ORD-1");
    assert_eq!(verdict(None, r, false, 10, 1, true), Verdict::Open);
    // Paid by another transaction: settled whatever its own nonce does.
    assert_eq!(verdict(None, r, true, 10, 1, true), Verdict::PaidElsewhere);
    // Its transaction was mined and reverted: the nonce is used up by it.
    let reverted = receipt(false, 10, &[]);
    assert_eq!(
        verdict(Some(&reverted), r, false, 10, 1, true),
        Verdict::NotPaid
    );
    assert_eq!(verdict(None, r, false, 10, 1, false), Verdict::NotPaid);
}

fn flight(from: Option<&str>, nonce: Option<i64>) -> InFlight {
    InFlight {
        id: "r".into(),
        order_reference: "ORD-1".into(),
        tx_hash: None,
        from_block: None,
        tx_from: from.map(str::to_string),
        nonce,
        tx_hashes: Vec::new(),
    }
}

#[test]
fn a_nonce_is_open_until_its_signer_mined_past_it() {
    let me: Address = WALLET.parse().unwrap();
    let earlier = Address::repeat_byte(1);
    let mined = HashMap::from([(me, 5), (earlier, 9)]);
    let mine = Some(WALLET.to_lowercase());
    assert_eq!(
        nonce_open(&flight(mine.as_deref(), Some(5)), &mined),
        Some(true)
    );
    assert_eq!(
        nonce_open(&flight(mine.as_deref(), Some(4)), &mined),
        Some(false)
    );
    let other = earlier.to_string();
    assert_eq!(
        nonce_open(&flight(Some(&other), Some(9)), &mined),
        Some(true)
    );
    assert_eq!(
        nonce_open(&flight(Some(&other), Some(8)), &mined),
        Some(false)
    );
    assert_eq!(nonce_open(&flight(None, None), &mined), None);
    assert_eq!(nonce_open(&flight(mine.as_deref(), None), &mined), None);
}

#[test]
fn only_the_minters_own_open_nonces_are_signed_again() {
    let me: Address = WALLET.parse().unwrap();
    let mine = flight(Some(&WALLET.to_lowercase()), Some(3));
    assert_eq!(Group::of(Verdict::Open, &mine, me), Group::Open(Some(3)));
    let theirs = flight(Some(&Address::repeat_byte(1).to_string()), Some(3));
    assert_eq!(Group::of(Verdict::Open, &theirs, me), Group::Open(None));
    assert_eq!(
        Group::of(Verdict::Open, &flight(None, None), me),
        Group::Open(None)
    );
}

#[test]
fn every_hash_of_a_reward_is_checked_the_latest_first() {
    let mut f = flight(None, Some(1));
    let (a, b) = (B256::repeat_byte(1), B256::repeat_byte(2));
    f.tx_hashes = vec![a.to_string(), b.to_string()];
    f.tx_hash = Some(b.to_string());
    let all: Vec<B256> = hashes_of(&f).collect();
    assert_eq!(all, vec![b, a]);
    let legacy = InFlight {
        tx_hashes: Vec::new(),
        ..f
    };
    assert_eq!(hashes_of(&legacy).collect::<Vec<_>>(), vec![b]);
}
