//! The real binary refuses to start on a bad configuration value and names it, and a production start refuses
//! every development default, listing them all.
use std::process::Command;

/// A development start (as the README's run command) with `vars` on top.
fn start_with(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    run(&[&[("APP_ENV", "development")], vars].concat())
}

/// Production settings without a development default; the database is never reached.
const PRODUCTION: [(&str, &str); 5] = [
    ("SITE_URL", "https://shop.example"),
    ("PAYMENTS_MODE", "live"),
    ("WAYFORPAY_MERCHANT_ACCOUNT", "shop_example"),
    ("WAYFORPAY_SECRET_KEY", "a-merchant-key-of-our-own"),
    ("CRON_SECRET", "0123456789abcdef0123456789abcdef"),
];

/// anvil's development account 1 (the run command's minter).
const ANVIL_KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/// A key of no published development account (a test fixture).
const OWN_KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

fn start_in_production(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    run(&[&PRODUCTION[..], vars].concat())
}

fn run(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_refcodes"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:1/never-reached",
    );
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run the server binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_value_stops_start_up_naming_the_variable() {
    for (var, value) in [
        ("SESSION_DAYS", "forever"),
        ("SITE_URL", "ftp://x"),
        ("LEPTOS_SITE_ADDR", "nowhere"),
        ("SEED_DEMO", "maybe"),
    ] {
        let (code, stderr) = start_with(&[(var, value)]);
        assert_eq!(code, Some(2), "{var}: {stderr}");
        assert!(
            stderr.contains(var) && stderr.contains(value),
            "{var}: {stderr}"
        );
    }
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let (code, stderr) = start_with(&[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

const REFUSED: &str = "refusing to start in production";

#[test]
fn production_without_development_defaults_goes_on_to_the_database() {
    let (code, stderr) = start_in_production(&[]);
    assert_eq!(code, Some(2));
    assert!(
        !stderr.contains(REFUSED) && stderr.contains("DATABASE_URL"),
        "{stderr}"
    );
}

#[test]
fn each_development_default_alone_stops_a_production_start() {
    let minter = [
        ("CHAIN_RPC_URL", "https://rpc.example"),
        (
            "REWARDS_CONTRACT_ADDRESS",
            "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
        ),
        ("REFERRAL_MINTER_PRIVATE_KEY", ANVIL_KEY_1),
        ("CHAIN_ID", "8453"),
    ];
    let unnamed_chain = [
        ("CHAIN_RPC_URL", "https://rpc.example"),
        (
            "REWARDS_CONTRACT_ADDRESS",
            "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
        ),
        ("REFERRAL_MINTER_PRIVATE_KEY", OWN_KEY),
    ];
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("PAYMENTS_MODE", "test")], "PAYMENTS_MODE is not `live`"),
        (
            &[("WAYFORPAY_MERCHANT_ACCOUNT", "refcodes_test_merchant")],
            "the built-in test merchant",
        ),
        (&[("SEED_DEMO", "true")], "SEED_DEMO is on"),
        (
            &[("CRON_SECRET", "dev-cron-secret-change-me")],
            "CRON_SECRET is the development secret",
        ),
        (&minter, "REFERRAL_MINTER_PRIVATE_KEY is one of anvil's"),
        (
            &unnamed_chain,
            "CHAIN_ID is unset while minting is configured",
        ),
        (
            &[("SITE_URL", "http://shop.example")],
            "SITE_URL http://shop.example is not https",
        ),
    ];
    for (vars, says) in cases {
        let (code, stderr) = start_in_production(vars);
        assert_eq!(code, Some(2), "{vars:?}: {stderr}");
        assert!(
            stderr.contains(REFUSED) && stderr.contains(says),
            "{vars:?}: {stderr}"
        );
        assert_eq!(stderr.matches("\n  - ").count(), 1, "only {says}: {stderr}");
        assert!(
            !stderr.contains("59c6995e"),
            "a key is never echoed: {stderr}"
        );
    }
}

#[test]
fn a_start_without_app_env_is_production_and_lists_every_violation_at_once() {
    let (code, stderr) = run(&[("SEED_DEMO", "true")]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains(REFUSED), "{stderr}");
    for says in [
        "PAYMENTS_MODE is not `live`",
        "the built-in test merchant",
        "SEED_DEMO is on",
    ] {
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    let (code, stderr) = run(&[("APP_ENV", "staging")]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("APP_ENV") && stderr.contains("staging"),
        "{stderr}"
    );
}
