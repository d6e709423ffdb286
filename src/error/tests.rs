use super::wire::PLAIN;
use super::*;

#[test]
fn codes_and_statuses_are_client_errors_for_bad_input() {
    for e in [
        AppError::InvalidEmail,
        AppError::ShortPassword { min: 8 },
        AppError::EmailTaken,
        AppError::WrongCredentials,
    ] {
        assert!((400..500).contains(&e.status()), "{e:?}");
    }
    assert_eq!(
        AppError::TooManyAttempts { retry_minutes: 3 }.code(),
        "too_many_attempts"
    );
}

#[test]
fn referral_failures_have_their_own_codes() {
    let cases = [
        (
            AppError::InvalidCode { min: 4, max: 24 },
            "invalid_code",
            400,
        ),
        (AppError::InvalidWallet, "invalid_wallet", 400),
        (AppError::WalletChecksum, "wallet_checksum", 400),
        (AppError::ZeroWallet, "zero_wallet", 400),
        (AppError::InvalidLabel { max: 64 }, "invalid_label", 400),
        (AppError::CodeTaken, "code_taken", 409),
        (AppError::TooManyCodes { max: 20 }, "too_many_codes", 409),
        (AppError::UnknownCode, "unknown_code", 404),
        (AppError::WalletExists, "wallet_exists", 409),
        (
            AppError::TooManyWallets { max: 10 },
            "too_many_wallets",
            409,
        ),
        (AppError::UnknownWallet, "unknown_wallet", 404),
        (
            AppError::WalletProofMalformed,
            "wallet_proof_malformed",
            400,
        ),
        (AppError::WalletProofExpired, "wallet_proof_expired", 400),
        (
            AppError::WalletProofWrongSigner,
            "wallet_proof_wrong_signer",
            400,
        ),
        (AppError::WalletProofUsed, "wallet_proof_used", 409),
        (AppError::WalletTaken, "wallet_taken", 409),
        (AppError::WalletNotProven, "wallet_not_proven", 409),
        (
            AppError::WalletInUse {
                codes: "SPRING, SUMMER".into(),
            },
            "wallet_in_use",
            409,
        ),
        (AppError::CodeBlocked, "code_blocked", 409),
        (AppError::ClawbackNotOpen, "clawback_not_open", 409),
    ];
    for (e, code, status) in cases {
        assert_eq!((e.code(), e.status()), (code, status), "{e:?}");
        assert!(!e.to_string().is_empty());
    }
}

fn every_variant() -> Vec<AppError> {
    let text = || "x".to_owned();
    let mut all = PLAIN.to_vec();
    all.extend([
        AppError::ShortPassword { min: 8 },
        AppError::LongPassword { max: 128 },
        AppError::TooManyAttempts { retry_minutes: 3 },
        AppError::RateLimited { retry_secs: 42 },
        AppError::InvalidCode { min: 4, max: 24 },
        AppError::InvalidLabel { max: 64 },
        AppError::TooManyCodes { max: 20 },
        AppError::TooManyWallets { max: 10 },
        AppError::UnknownProduct { product_id: text() },
        AppError::TooManyLines { max: 50 },
        AppError::InvalidQuantity { max: 99 },
        AppError::OutOfStock {
            product_id: text(),
            available: 2,
        },
        AppError::OrderNotPayable { status: text() },
        AppError::InsufficientCredit {
            balance: "1.50".into(),
            currency: "USD".into(),
        },
        AppError::UnknownTier { tier: text() },
        AppError::ReasonRequired { max: 500 },
        AppError::PayloadTooLarge { max: 16 },
        AppError::TooManySelected {
            count: 10_001,
            max: 10_000,
        },
        AppError::IllegalTransition {
            from: "paid".into(),
            to: "approved".into(),
        },
        AppError::BadRequest(text()),
        AppError::Transport(text()),
        AppError::WalletInUse { codes: text() },
    ]);
    all
}

#[test]
fn every_variant_round_trips_through_json() {
    let all = every_variant();
    for e in &all {
        let json = serde_json::to_string(e).unwrap();
        assert_eq!(
            &serde_json::from_str::<AppError>(&json).unwrap(),
            e,
            "{json}"
        );
    }
    let codes: std::collections::BTreeSet<_> = all.iter().map(AppError::code).collect();
    assert_eq!(codes.len(), all.len(), "a code is used twice");
}

#[test]
fn the_wire_form_is_one_flat_record() {
    let json = serde_json::to_value(AppError::InvalidCode { min: 4, max: 24 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"code": "invalid_code", "min": 4, "max": 24})
    );
    let plain = serde_json::to_value(AppError::EmailTaken).unwrap();
    assert_eq!(plain, serde_json::json!({"code": "email_taken"}));
}

#[test]
fn a_malformed_wire_error_is_refused_with_its_reason() {
    let missing = serde_json::from_str::<AppError>(r#"{"code":"short_password"}"#).unwrap_err();
    assert!(missing.to_string().contains("\"min\""), "{missing}");
    let unknown = serde_json::from_str::<AppError>(r#"{"code":"no_such_error"}"#).unwrap_err();
    assert!(unknown.to_string().contains("no_such_error"), "{unknown}");
}
