//! Production mode: nothing that is safe only on a laptop starts silently.
//!
//! `APP_ENV=development` (set by the README's run command) allows the development defaults: test payments signed
//! with a merchant key that is in the source, demo accounts with published passwords, the development cron secret,
//! anvil's well-known keys. Any other start is production, and [`check`] refuses to start on any of them, listing
//! every violation in one message so that an operator fixes the settings in one pass.
use crate::server::platform::config::{AppEnv, Config, PaymentsMode};
use refcodes_chain::alloy::primitives::{address, Address};
use std::fmt;

/// The cron secret of the README's run command (`scripts/run.sh`).
pub const DEV_CRON_SECRET: &str = "dev-cron-secret-change-me";

/// The accounts of anvil's (and Hardhat's) published development mnemonic: anyone holds their keys.
const DEV_ACCOUNTS: [Address; 10] = [
    address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    address!("3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    address!("90F79bf6EB2c4f870365E785982E1f101E93b906"),
    address!("15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
    address!("9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
    address!("976EA74026E726554dB657fA54763abd0C3a0aa9"),
    address!("14dC79964da2C08b23698B3D3cc7Ca32193d9955"),
    address!("23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"),
    address!("a0Ee7A142d267C1f36714E4a8F75612F20a79720"),
];

/// One development default found in a production start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    TestPayments,
    TestMerchant,
    SeedDemo,
    DevCronSecret,
    DevMinterKey,
    MintingWithoutChainId,
    PlainHttpSite(String),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::TestPayments => f.write_str(
                "PAYMENTS_MODE is not `live`: test payments let any member pay their own orders",
            ),
            Violation::TestMerchant => f.write_str(
                "WAYFORPAY_MERCHANT_ACCOUNT / WAYFORPAY_SECRET_KEY are the built-in test merchant: \
                 set your WayForPay merchant's account and key",
            ),
            Violation::SeedDemo => {
                f.write_str("SEED_DEMO is on: it creates accounts whose passwords are published")
            }
            Violation::DevCronSecret => f.write_str(
                "CRON_SECRET is the development secret: generate one (e.g. `openssl rand -hex 32`)",
            ),
            Violation::DevMinterKey => f.write_str(
                "REFERRAL_MINTER_PRIVATE_KEY is one of anvil's published development keys: \
                 use a key of your own",
            ),
            Violation::MintingWithoutChainId => f.write_str(
                "CHAIN_ID is unset while minting is configured: set the chain rewards are paid on (its \
                 confirmations and the wallet proofs follow it)",
            ),
            Violation::PlainHttpSite(url) => write!(
                f,
                "SITE_URL {url} is not https: sessions and payments need TLS (the app sits behind \
                 a TLS-terminating proxy)"
            ),
        }
    }
}

/// Every development default `config` carries, in a fixed order; none in development.
pub fn violations(config: &Config) -> Vec<Violation> {
    if config.app_env == AppEnv::Development {
        return Vec::new();
    }
    let payments = &config.payments;
    let minter = config.mint.chain.as_ref().map(|c| c.signer.address());
    [
        (payments.mode != PaymentsMode::Live).then_some(Violation::TestPayments),
        payments
            .uses_test_merchant()
            .then_some(Violation::TestMerchant),
        config.seed_demo.then_some(Violation::SeedDemo),
        (config.cron_secret.as_deref() == Some(DEV_CRON_SECRET))
            .then_some(Violation::DevCronSecret),
        minter
            .is_some_and(|a| DEV_ACCOUNTS.contains(&a))
            .then_some(Violation::DevMinterKey),
        (minter.is_some() && config.chain_id.is_none()).then_some(Violation::MintingWithoutChainId),
        plain_http_beyond_loopback(config)
            .then(|| Violation::PlainHttpSite(config.site_url.clone())),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A production start with development defaults; the message lists them all.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusing to start in production (APP_ENV is not `development`) with development settings:\n{}",
    list(.0)
)]
pub struct ProductionError(pub Vec<Violation>);

fn list(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("  - {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn check(config: &Config) -> Result<(), ProductionError> {
    let found = violations(config);
    if found.is_empty() {
        Ok(())
    } else {
        Err(ProductionError(found))
    }
}

/// An `http://` site for a host other than loopback, or served on an address beyond loopback.
fn plain_http_beyond_loopback(config: &Config) -> bool {
    config.site_url.starts_with("http://")
        && (plain_http_public(&config.site_url) || !config.site_addr.ip().is_loopback())
}

/// `http://` for a host other than this machine's loopback.
fn plain_http_public(site_url: &str) -> bool {
    let Some(authority) = site_url.strip_prefix("http://") else {
        return false;
    };
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    !(host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Production settings without a single development default.
    const CLEAN: [(&str, &str); 6] = [
        ("DATABASE_URL", "postgres://app@db.internal/refcodes"),
        ("SITE_URL", "https://shop.example"),
        ("PAYMENTS_MODE", "live"),
        ("WAYFORPAY_MERCHANT_ACCOUNT", "shop_example"),
        ("WAYFORPAY_SECRET_KEY", "a-merchant-key-of-our-own"),
        ("CRON_SECRET", "0123456789abcdef0123456789abcdef"),
    ];

    fn config(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<&str, &str> = CLEAN.iter().chain(vars).copied().collect();
        Config::from_source(|k| map.get(k).map(|v| v.to_string())).expect("valid settings")
    }

    #[test]
    fn clean_production_settings_pass() {
        assert_eq!(violations(&config(&[])), vec![]);
    }

    #[test]
    fn every_development_default_is_named_at_once() {
        let c = config(&[
            ("PAYMENTS_MODE", "test"),
            ("WAYFORPAY_MERCHANT_ACCOUNT", ""),
            ("WAYFORPAY_SECRET_KEY", ""),
            ("SEED_DEMO", "true"),
            ("CRON_SECRET", DEV_CRON_SECRET),
            ("SITE_URL", "http://shop.example"),
            ("CHAIN_RPC_URL", "https://rpc.example"),
            (
                "REWARDS_CONTRACT_ADDRESS",
                "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
            ),
            (
                "REFERRAL_MINTER_PRIVATE_KEY",
                "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            ),
        ]);
        assert_eq!(
            violations(&c),
            vec![
                Violation::TestPayments,
                Violation::TestMerchant,
                Violation::SeedDemo,
                Violation::DevCronSecret,
                Violation::DevMinterKey,
                Violation::MintingWithoutChainId,
                Violation::PlainHttpSite("http://shop.example".into()),
            ]
        );
        let message = check(&c).unwrap_err().to_string();
        for var in [
            "PAYMENTS_MODE",
            "WAYFORPAY_SECRET_KEY",
            "SEED_DEMO",
            "CRON_SECRET",
        ] {
            assert!(message.contains(var), "{message}");
        }
        assert!(
            !message.contains("59c6995e"),
            "the key is never echoed: {message}"
        );
    }

    #[test]
    fn a_loopback_http_site_served_beyond_loopback_is_refused() {
        let c = config(&[
            ("SITE_URL", "http://127.0.0.1:3000"),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:3000"),
        ]);
        assert_eq!(
            violations(&c),
            vec![Violation::PlainHttpSite("http://127.0.0.1:3000".into())]
        );
        let local = config(&[("SITE_URL", "http://127.0.0.1:3000")]);
        assert_eq!(violations(&local), vec![]);
    }

    #[test]
    fn the_test_merchant_is_refused_even_in_live_mode() {
        let c = config(&[("WAYFORPAY_SECRET_KEY", "refcodes-test-payments-key")]);
        assert_eq!(violations(&c), vec![Violation::TestMerchant]);
    }

    #[test]
    fn development_allows_everything() {
        let c = config(&[
            ("APP_ENV", "development"),
            ("PAYMENTS_MODE", "test"),
            ("SEED_DEMO", "true"),
            ("SITE_URL", "http://shop.example"),
        ]);
        assert!(check(&c).is_ok());
    }

    #[test]
    fn plain_http_is_fine_on_loopback_only() {
        for url in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
            "https://a.example",
        ] {
            assert!(!plain_http_public(url), "{url}");
        }
        for url in [
            "http://a.example",
            "http://10.0.0.5:3000",
            "http://localhost.example",
        ] {
            assert!(plain_http_public(url), "{url}");
        }
    }
}
