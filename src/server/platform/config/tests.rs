use super::*;
use std::collections::HashMap;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_source(|k| map.get(k).cloned())
}

const DB: (&str, &str) = ("DATABASE_URL", "postgres://postgres@127.0.0.1/x");

#[test]
fn defaults_apply() {
    let c = config(&[DB]).unwrap();
    assert_eq!(c.site_url, "http://127.0.0.1:3000");
    assert_eq!(c.session_days, 30);
    assert!(!c.secure_cookies());
    assert_eq!((c.ref_cookie_days, c.max_codes_per_user), (30, 20));
}

#[test]
fn referral_settings_are_bounded() {
    let c = config(&[DB, ("REF_COOKIE_DAYS", "90"), ("MAX_CODES_PER_USER", "3")]).unwrap();
    assert_eq!((c.ref_cookie_days, c.max_codes_per_user), (90, 3));
    for (var, value) in [
        ("REF_COOKIE_DAYS", "0"),
        ("REF_COOKIE_DAYS", "401"),
        ("REF_COOKIE_DAYS", "a month"),
        ("MAX_CODES_PER_USER", "0"),
        ("MAX_CODES_PER_USER", "-1"),
        ("MAX_CODES_PER_USER", "1001"),
    ] {
        let e = config(&[DB, (var, value)]).unwrap_err();
        assert_eq!((e.var, e.value.as_str()), (var, value));
    }
}

#[test]
fn payments_and_rewards_have_safe_defaults_and_live_needs_credentials() {
    let c = config(&[DB]).unwrap();
    assert_eq!(c.payments.mode, PaymentsMode::Test);
    assert_eq!(c.payments.merchant_domain, "127.0.0.1");
    assert_eq!((c.rates.store_bps, c.rates.membership_bps), (500, 1000));
    assert_eq!(c.rates.hold_days, 14);
    assert_eq!(
        c.oracle["UAH"],
        OracleSource::Fixed {
            answer: 4000,
            decimals: 2
        }
    );
    assert!(!format!("{:?}", c.payments).contains(TEST_SECRET));
    let e = config(&[DB, ("PAYMENTS_MODE", "live")]).unwrap_err();
    assert_eq!(e.var, "WAYFORPAY_MERCHANT_ACCOUNT");
    let live = config(&[
        DB,
        ("PAYMENTS_MODE", "live"),
        ("WAYFORPAY_MERCHANT_ACCOUNT", "shop"),
        ("WAYFORPAY_SECRET_KEY", "k"),
    ])
    .unwrap();
    assert_eq!(live.payments.mode, PaymentsMode::Live);
    for (var, value) in [
        ("PAYMENTS_MODE", "sandbox"),
        ("REFERRAL_REWARD_BPS", "10001"),
        ("MEMBERSHIP_REWARD_BPS", "5%"),
        ("ORACLE_FIXED_PRICE", "0"),
        ("ORACLE_FIXED_PRICE", "-1"),
        ("ORACLE_FIXED_PRICE", "1,5"),
        ("ORACLE_FEED_ADDRESS", "0x1234"),
        (
            "ORACLE_FEED_ADDRESS",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        ),
        ("CHAIN_RPC_URL", "ws://x"),
    ] {
        assert_eq!(
            config(&[DB, (var, value)]).unwrap_err().var,
            var,
            "{var}={value}"
        );
    }
    let feed = config(&[
        DB,
        ("CHAIN_RPC_URL", "http://127.0.0.1:8545"),
        (
            "ORACLE_FEED_ADDRESS",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        ),
    ])
    .unwrap();
    assert!(matches!(
        feed.oracle["UAH"],
        OracleSource::Feed {
            max_age_secs: 3600,
            ..
        }
    ));
    assert_eq!(
        oracle::parse_price("41.125"),
        Some(OracleSource::Fixed {
            answer: 41125,
            decimals: 3
        })
    );
}

#[test]
fn bad_values_name_the_variable() {
    let e = config(&[DB, ("SESSION_DAYS", "forever")]).unwrap_err();
    assert_eq!((e.var, e.value.as_str()), ("SESSION_DAYS", "forever"));
    assert!(e.to_string().contains("SESSION_DAYS") && e.to_string().contains("forever"));
    assert_eq!(
        config(&[DB, ("SITE_URL", "ftp://x")]).unwrap_err().var,
        "SITE_URL"
    );
    let e = config(&[DB, ("ADMIN_EMAILS", "boss@ring.example")]).unwrap_err();
    assert_eq!(e.var, "ADMIN_EMAILS");
    assert!(e.to_string().contains("refcodes admin grant"), "{e}");
    assert_eq!(
        config(&[DB, ("APP_ENV", "staging")]).unwrap_err().var,
        "APP_ENV"
    );
    assert_eq!(
        config(&[DB, ("LEPTOS_SITE_ADDR", "localhost")])
            .unwrap_err()
            .var,
        "LEPTOS_SITE_ADDR"
    );
    assert_eq!(config(&[]).unwrap_err().var, "DATABASE_URL");
}

#[test]
fn database_password_is_never_shown() {
    let e = config(&[("DATABASE_URL", "mysql://u:secret@h/db")]).unwrap_err();
    assert!(!e.to_string().contains("secret"));
    let c = config(&[("DATABASE_URL", "postgres://u:secret@h/db")]).unwrap();
    assert!(!format!("{c:?}").contains("secret"));
}

#[test]
fn the_readme_and_the_env_example_document_every_variable_read() {
    let asked = std::sync::Mutex::new(Vec::new());
    let _ = Config::from_source(|k| {
        asked.lock().unwrap().push(k.to_string());
        (k == "DATABASE_URL").then(|| "postgres://x@h/db".to_string())
    });
    let readme = include_str!("../../../../README.md");
    let env_example = include_str!("../../../../deploy/env.example");
    for var in asked.into_inner().unwrap() {
        assert!(
            readme.contains(&format!("| `{var}` |")),
            "README lacks {var}"
        );
        let listed = env_example
            .lines()
            .any(|l| l.trim_start_matches("# ").starts_with(&format!("{var}=")));
        assert!(
            listed || var == "ADMIN_EMAILS",
            "deploy/env.example lacks {var}"
        );
    }
}

// anvil's development account 1 (a public test fixture, not a secret).
const KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const CONTRACT: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const RPC: (&str, &str) = ("CHAIN_RPC_URL", "http://127.0.0.1:8545");

#[test]
fn minting_is_optional_and_has_safe_defaults() {
    let c = config(&[DB, RPC]).unwrap();
    assert!(c.mint.chain.is_none() && c.cron_secret.is_none());
    assert_eq!(
        (
            c.mint.batch_size,
            c.mint.confirmations,
            c.mint.interval_secs
        ),
        (100, 1, 0)
    );
    assert_eq!(c.mint.low_balance_wei, 50_000_000_000_000_000);
    let c = config(&[
        DB,
        RPC,
        ("REFERRAL_MINTER_PRIVATE_KEY", KEY),
        ("REWARDS_CONTRACT_ADDRESS", CONTRACT),
        ("CHAIN_ID", "31337"),
        ("CRON_SECRET", "a-long-enough-cron-secret"),
        ("MINT_INTERVAL_SECS", "30"),
    ])
    .unwrap();
    let chain = c.mint.chain.as_ref().unwrap();
    assert_eq!(chain.chain_id, Some(31337));
    assert_eq!(
        chain.signer.address().to_string(),
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    );
    assert_eq!(c.mint.interval_secs, 30);
    let shown = format!("{c:?} {:?} {:?}", c.mint, chain);
    assert!(!shown.to_lowercase().contains(&KEY[2..]), "{shown}");
    assert!(!shown.contains("a-long-enough-cron-secret"));
}

#[test]
fn a_partial_chain_set_names_what_is_missing() {
    let key = ("REFERRAL_MINTER_PRIVATE_KEY", KEY);
    let contract = ("REWARDS_CONTRACT_ADDRESS", CONTRACT);
    for (vars, missing) in [
        (vec![DB, RPC, key], "REWARDS_CONTRACT_ADDRESS"),
        (vec![DB, RPC, contract], "REFERRAL_MINTER_PRIVATE_KEY"),
        (vec![DB, key, contract], "CHAIN_RPC_URL"),
    ] {
        assert_eq!(config(&vars).unwrap_err().var, missing);
    }
    for (var, value) in [
        ("REWARDS_CONTRACT_ADDRESS", "0x1234"),
        (
            "REWARDS_CONTRACT_ADDRESS",
            "0x0000000000000000000000000000000000000000",
        ),
        ("CHAIN_ID", "0"),
        ("MINT_BATCH_SIZE", "301"),
        ("MINT_CONFIRMATIONS", "0"),
        ("MINT_TIMEOUT_SECS", "0"),
        ("MINT_INTERVAL_SECS", "-1"),
        ("MINTER_LOW_BALANCE", "1,5"),
        ("REWARDS_START_BLOCK", "latest"),
    ] {
        let vars = [DB, RPC, key, contract, (var, value)];
        assert_eq!(config(&vars).unwrap_err().var, var, "{var}={value}");
    }
}

#[test]
fn secrets_are_never_echoed() {
    let bad_key = format!("{}ff", &KEY[2..]);
    let e = config(&[
        DB,
        RPC,
        ("REFERRAL_MINTER_PRIVATE_KEY", &bad_key),
        ("REWARDS_CONTRACT_ADDRESS", CONTRACT),
    ])
    .unwrap_err();
    assert_eq!(e.var, "REFERRAL_MINTER_PRIVATE_KEY");
    assert!(!e.to_string().contains(&KEY[2..20]), "{e}");
    let e = config(&[DB, ("CHAIN_EXPLORER_TX_URL", "https://etherscan.io/tx/")]).unwrap_err();
    assert_eq!(e.var, "CHAIN_EXPLORER_TX_URL");
    let c = config(&[
        DB,
        ("CHAIN_EXPLORER_TX_URL", "https://etherscan.io/tx/{tx}"),
    ])
    .unwrap();
    assert_eq!(
        c.tx_links.link("0xab").as_deref(),
        Some("https://etherscan.io/tx/0xab")
    );
    let e = config(&[DB, ("CRON_SECRET", "short-secret")]).unwrap_err();
    assert_eq!(e.var, "CRON_SECRET");
    assert!(!e.to_string().contains("short-secret"));
}

#[test]
fn the_database_endpoint_carries_no_credentials() {
    let c = config(&[(
        "DATABASE_URL",
        "postgres://app:s3cret@db.internal:6432/refcodes?sslmode=verify-full&sslrootcert=/ca.pem",
    )])
    .unwrap();
    assert_eq!(c.database_endpoint(), "db.internal:6432/refcodes");
    let c = config(&[("DATABASE_URL", "postgres://app@db.internal/refcodes")]).unwrap();
    assert_eq!(c.database_endpoint(), "db.internal:5432/refcodes");
}

#[test]
fn https_site_means_secure_cookies() {
    let c = config(&[DB, ("SITE_URL", "https://ring.example/")]).unwrap();
    assert!(c.secure_cookies());
    assert_eq!(c.site_url, "https://ring.example");
}

#[test]
fn app_env_is_production_unless_it_says_development() {
    assert_eq!(config(&[DB]).unwrap().app_env, AppEnv::Production);
    let dev = config(&[DB, ("APP_ENV", "development")]).unwrap();
    assert_eq!(dev.app_env, AppEnv::Development);
}
