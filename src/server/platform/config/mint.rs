//! The reward minter's settings (README, Minting): where and as whom rewards are paid, batch size, confirmations,
//! how long a run may wait for a receipt and how long it may last in all, the schedule and the gas warning.
use super::parse::{parse_chain_id, ranged, url_endpoint};
use super::ConfigError;
use refcodes_chain::alloy::primitives::Address;
use refcodes_chain::alloy::signers::local::PrivateKeySigner;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The reward minter's settings (README, Minting).
#[derive(Debug, Clone)]
pub struct MintConfig {
    /// The chain side; `None` when minting is not configured (the app runs, the cron endpoint answers 503).
    pub chain: Option<MintChain>,
    /// Rewards per transaction (`payReferralBatch`), 1–300.
    pub batch_size: usize,
    pub confirmations: u64,
    /// How long a run waits for a receipt before leaving the rewards `minting` for the next run.
    pub timeout_secs: u64,
    /// `MINT_REPLACE_AFTER_SECS`: a transaction not mined this long after it was signed is signed again with its
    /// nonce and higher fees (`mint/sending.rs`).
    pub replace_after_secs: u64,
    /// `MINT_MAX_FEE_GWEI`, in wei: the most a mint transaction may offer per gas, new or replacing.
    pub max_fee_per_gas: u128,
    /// `RECONCILE_INTERVAL_SECS`: how often the reconciliation report runs on its own (0 = only when asked).
    pub reconcile_interval_secs: u64,
    /// `MINT_RUN_DEADLINE_SECS`: a run still going after this ends with `chain_unavailable` (its lock released,
    /// its rewards settled by the next run); each chain call has its own bound (`CHAIN_CALL_TIMEOUT_SECS`).
    pub run_deadline: Duration,
    /// In-process schedule; 0 = off.
    pub interval_secs: u64,
    /// Below this gas balance (wei) the minter logs a warning.
    pub low_balance_wei: u128,
    /// First block scanned for `ReferralPaid` events (the contract's deployment block).
    pub start_block: u64,
}

/// Where and as whom rewards are paid. `Debug` never shows the key.
#[derive(Clone)]
pub struct MintChain {
    pub rpc_url: String,
    pub contract: Address,
    pub signer: PrivateKeySigner,
    /// When set, the RPC must serve this chain.
    pub chain_id: Option<u64>,
}

impl MintChain {
    /// `host:port` of the RPC endpoint: enough to find it, nothing of a path or query that may carry an API key.
    pub fn endpoint(&self) -> String {
        url_endpoint(&self.rpc_url)
    }
}

impl fmt::Debug for MintChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintChain")
            .field("contract", &self.contract)
            .field("minter", &self.signer.address())
            .field("chain_id", &self.chain_id)
            .finish_non_exhaustive()
    }
}

pub(super) fn parse_mint(
    get: &impl Fn(&str) -> Option<String>,
    rpc_url: Option<&str>,
) -> Result<MintConfig, ConfigError> {
    let low_raw = get("MINTER_LOW_BALANCE").unwrap_or_else(|| "0.05".into());
    let low_balance_wei = parse_ether(low_raw.trim()).ok_or(ConfigError {
        var: "MINTER_LOW_BALANCE",
        value: low_raw.clone(),
        expected: "an amount of the chain's gas token with at most 18 decimals, like 0.05",
    })?;
    let timing = ChainTiming::of(parse_chain_id(get)?);
    let confirmations = ranged(
        get,
        "MINT_CONFIRMATIONS",
        timing.confirmations,
        1..=256,
        "a whole number of blocks from 1 to 256",
    )?;
    let timeout_secs = ranged(
        get,
        "MINT_TIMEOUT_SECS",
        timing.receipt_secs(confirmations),
        1..=3600,
        "a whole number of seconds from 1 to 3600",
    )?;
    let config = MintConfig {
        chain: parse_mint_chain(get, rpc_url)?,
        batch_size: ranged(
            get,
            "MINT_BATCH_SIZE",
            100,
            1..=300,
            "a whole number from 1 to 300",
        )?,
        confirmations,
        timeout_secs,
        replace_after_secs: ranged(
            get,
            "MINT_REPLACE_AFTER_SECS",
            180,
            1..=86_400,
            "a whole number of seconds from 1 to 86400",
        )?,
        max_fee_per_gas: u128::from(ranged::<u32>(
            get,
            "MINT_MAX_FEE_GWEI",
            1000,
            1..=1_000_000,
            "a whole number of gwei from 1 to 1000000",
        )?) * 1_000_000_000,
        reconcile_interval_secs: ranged(
            get,
            "RECONCILE_INTERVAL_SECS",
            3600,
            0..=604_800,
            "a whole number of seconds from 0 (off) to 604800",
        )?,
        run_deadline: Duration::from_secs(ranged(
            get,
            "MINT_RUN_DEADLINE_SECS",
            (2 * timeout_secs + 60).max(600),
            1..=86_400,
            "a whole number of seconds from 1 to 86400",
        )?),
        interval_secs: ranged(
            get,
            "MINT_INTERVAL_SECS",
            0,
            0..=86_400,
            "a whole number of seconds from 0 (off) to 86400",
        )?,
        low_balance_wei,
        start_block: ranged(
            get,
            "REWARDS_START_BLOCK",
            0,
            0..=u64::MAX,
            "a block number",
        )?,
    };
    // A run waits for a receipt (twice when it re-sends and then sends a batch): its deadline must leave room.
    if config.run_deadline.as_secs() < 2 * config.timeout_secs {
        return Err(ConfigError {
            var: "MINT_RUN_DEADLINE_SECS",
            value: config.run_deadline.as_secs().to_string(),
            expected: "at least twice MINT_TIMEOUT_SECS",
        });
    }
    Ok(config)
}

/// Key, contract and RPC together, or none of them: a partial set names what is missing.
fn parse_mint_chain(
    get: &impl Fn(&str) -> Option<String>,
    rpc_url: Option<&str>,
) -> Result<Option<MintChain>, ConfigError> {
    let key = get("REFERRAL_MINTER_PRIVATE_KEY");
    let contract = get("REWARDS_CONTRACT_ADDRESS");
    if key.is_none() && contract.is_none() {
        return Ok(None);
    }
    let missing = |var: &'static str, expected: &'static str| ConfigError {
        var,
        value: String::new(),
        expected,
    };
    let key = key.ok_or(missing(
        "REFERRAL_MINTER_PRIVATE_KEY",
        "the minter's private key too (REWARDS_CONTRACT_ADDRESS is set)",
    ))?;
    let contract = contract.ok_or(missing(
        "REWARDS_CONTRACT_ADDRESS",
        "the ReferralRewards proxy address too (REFERRAL_MINTER_PRIVATE_KEY is set)",
    ))?;
    let rpc_url = rpc_url.ok_or(missing(
        "CHAIN_RPC_URL",
        "an http(s) JSON-RPC URL (the minter key and contract are set)",
    ))?;
    // The value is never echoed: it is the key.
    let signer = refcodes_chain::signer_from_hex(&key).map_err(|_| ConfigError {
        var: "REFERRAL_MINTER_PRIVATE_KEY",
        value: format!("(hidden, {} characters)", key.trim().len()),
        expected: "a private key: 64 hexadecimal digits, 0x optional",
    })?;
    Ok(Some(MintChain {
        rpc_url: rpc_url.to_string(),
        contract: parse_contract(contract.trim())?,
        signer,
        chain_id: parse_chain_id(get)?,
    }))
}

fn parse_contract(raw: &str) -> Result<Address, ConfigError> {
    let hex = raw.strip_prefix("0x").unwrap_or_default();
    Address::from_str(raw)
        .ok()
        .filter(|a| hex.len() == 40 && !a.is_zero())
        .ok_or(ConfigError {
            var: "REWARDS_CONTRACT_ADDRESS",
            value: raw.to_string(),
            expected: "a contract address: 0x followed by 40 hexadecimal characters, not zero",
        })
}

/// How a chain is waited for (README, Configuration): blocks on top of a mint transaction before its rewards are
/// `minted` — deep enough that a reorganisation taking it back is rare, and repaired when it happens
/// (`mint/reconcile.rs`) — and its block time, from which the receipt wait and the run's deadline default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTiming {
    pub confirmations: u64,
    pub block_secs: u64,
}

impl ChainTiming {
    /// By `CHAIN_ID`; unset is a development chain (a production start with minting requires it,
    /// `production.rs`).
    pub fn of(chain_id: Option<u64>) -> ChainTiming {
        let (confirmations, block_secs) = match chain_id {
            None | Some(31337) => (1, 1),
            Some(11155111) => (3, 12),
            Some(84532 | 421614 | 11155420) => (3, 2),
            Some(10 | 8453 | 42161) => (10, 2),
            Some(56) => (15, 3),
            Some(137) => (128, 2),
            _ => (12, 12),
        };
        ChainTiming {
            confirmations,
            block_secs,
        }
    }

    /// The receipt wait: the confirmations' blocks half as slow again, and a minute for inclusion; 120 s to 3600 s.
    pub fn receipt_secs(self, confirmations: u64) -> u64 {
        (confirmations * self.block_secs * 3 / 2 + 60).clamp(120, 3600)
    }
}

/// `"0.05"` → 5·10^16 wei (18 decimals).
fn parse_ether(raw: &str) -> Option<u128> {
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 18 {
        return None;
    }
    let scaled = format!("{frac:0<18}");
    whole
        .parse::<u128>()
        .ok()?
        .checked_mul(10u128.pow(18))?
        .checked_add(scaled.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_and_waits_default_by_chain() {
        let of = |id| {
            let t = ChainTiming::of(id);
            (t.confirmations, t.receipt_secs(t.confirmations))
        };
        assert_eq!(of(Some(31337)), (1, 120), "anvil");
        assert_eq!(of(None), (1, 120), "unset: a development chain");
        assert_eq!(of(Some(11155111)), (3, 120), "Sepolia");
        assert_eq!(of(Some(8453)), (10, 120), "Base");
        assert_eq!(of(Some(1)), (12, 276), "Ethereum: 12 blocks of 12 s");
        assert_eq!(of(Some(137)), (128, 444), "Polygon PoS");
        assert_eq!(of(Some(999_999)), (12, 276), "unknown: as Ethereum");
    }

    #[test]
    fn the_run_deadline_leaves_room_for_two_receipt_waits() {
        let get = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let polygon = parse_mint(&get(&[("CHAIN_ID", "137")]), None).unwrap();
        assert_eq!(
            (polygon.timeout_secs, polygon.run_deadline.as_secs()),
            (444, 948)
        );
        let err = parse_mint(
            &get(&[
                ("MINT_TIMEOUT_SECS", "400"),
                ("MINT_RUN_DEADLINE_SECS", "700"),
            ]),
            None,
        );
        assert_eq!(err.unwrap_err().var, "MINT_RUN_DEADLINE_SECS");
    }

    #[test]
    fn gas_amounts_are_read_in_ether() {
        assert_eq!(parse_ether("1.5"), Some(1_500_000_000_000_000_000));
        assert_eq!(parse_ether("0.000000000000000001"), Some(1));
        assert_eq!(parse_ether(".5"), None);
        assert_eq!(parse_ether("1.0000000000000000001"), None);
    }
}
