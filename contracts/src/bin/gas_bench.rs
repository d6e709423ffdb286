//! Gas benchmark: starts its own anvil on 127.0.0.1, deploys in MINT and TRANSFER mode and measures the gas per
//! reward of `payReferral` and `payReferralBatch`, beside a computed floor for one reward.
//!
//!   cargo run -p refcodes-chain --bin gas_bench
//!
//! Exits 1 when a target (batch of 100, MINT mode) is missed.

use std::process::ExitCode;

use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::DynProvider;
use refcodes_chain::anvil::{anvil_signer, spawn_anvil};
use refcodes_chain::ReferralRewards::ReferralRewardsInstance;
use refcodes_chain::{
    deploy, order_ref, send_and_confirm, ChainClient, ChainError, Mode, ReferralRewards,
};

const BATCH_SIZES: [usize; 5] = [10, 50, 100, 200, 300];

// Gas schedule (Berlin/London/Cancun, unchanged since): what one reward cannot avoid.
const TX_BASE: u64 = 21_000;
const CALLDATA_ZERO: u64 = 4;
const CALLDATA_NONZERO: u64 = 16;
const SSTORE_SET_COLD: u64 = 22_100; // 20_000 zero -> nonzero + 2_100 cold slot
const SSTORE_UPDATE_COLD: u64 = 5_000; // 2_900 nonzero -> nonzero + 2_100 cold slot
const LOG3_32_BYTES: u64 = 375 + 3 * 375 + 8 * 32; // 1_756: Transfer(from, to, value) and ReferralPaid

const TARGET_NEW: u64 = 52_000;
const TARGET_EXISTING: u64 = 35_000;
const TARGET_RATIO: f64 = 1.1;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Recipients {
    New,
    Existing,
}

impl Recipients {
    fn label(self) -> &'static str {
        match self {
            Recipients::New => "new",
            Recipients::Existing => "existing",
        }
    }
}

struct Row {
    mode: Mode,
    call: String,
    recipients: Recipients,
    n: usize,
    gas: u64,
    floor: f64,
}

impl Row {
    fn per_reward(&self) -> f64 {
        self.gas as f64 / self.n as f64
    }
    fn ratio(&self) -> f64 {
        self.per_reward() / self.floor
    }
}

/// Floor for one reward in a transaction of `n` rewards with calldata `input`.
fn floor_per_reward(n: usize, input: &Bytes, recipients: Recipients) -> f64 {
    let calldata: u64 = input
        .iter()
        .map(|&b| {
            if b == 0 {
                CALLDATA_ZERO
            } else {
                CALLDATA_NONZERO
            }
        })
        .sum();
    let balance = match recipients {
        Recipients::New => SSTORE_SET_COLD,
        Recipients::Existing => SSTORE_UPDATE_COLD,
    };
    (TX_BASE + calldata) as f64 / n as f64 + (SSTORE_SET_COLD + balance + 2 * LOG3_32_BYTES) as f64
}

struct Bench {
    rewards: ReferralRewardsInstance<DynProvider>,
    mode: Mode,
    seq: u64,
}

impl Bench {
    /// A fresh, realistic-looking address (20 non-trivial bytes).
    fn fresh_address(&mut self) -> Address {
        self.seq += 1;
        Address::from_word(keccak256(format!("{}-{}", self.mode, self.seq)))
    }

    fn fresh_ref(&mut self) -> B256 {
        self.seq += 1;
        order_ref(&format!("BENCH-{}-{}", self.mode, self.seq))
    }

    /// A reward amount of the usual size: 1.5 … 99 tokens with 18 decimals.
    fn amount(i: usize) -> U256 {
        U256::from(1_500_000_000_000_000_000u128 + (i as u128 % 97) * 1_000_000_000_000_000_000u128)
    }

    async fn pay_single(&mut self, to: Address) -> Result<(u64, Bytes), ChainError> {
        let r = self.fresh_ref();
        let call = self.rewards.payReferral(to, Self::amount(7), r);
        let input = call.calldata().clone();
        let receipt = send_and_confirm(&call, "payReferral").await?;
        Ok((receipt.gas_used, input))
    }

    async fn pay_batch(&mut self, to: &[Address]) -> Result<(u64, Bytes), ChainError> {
        let refs: Vec<B256> = to.iter().map(|_| self.fresh_ref()).collect();
        let amounts: Vec<U256> = (0..to.len()).map(Self::amount).collect();
        let call = self.rewards.payReferralBatch(to.to_vec(), amounts, refs);
        let input = call.calldata().clone();
        let receipt = send_and_confirm(&call, "payReferralBatch").await?;
        let logs = refcodes_chain::payment_logs(&receipt, *self.rewards.address());
        assert_eq!(logs.paid.len(), to.len(), "every entry must be paid");
        Ok((receipt.gas_used, input))
    }

    async fn run(&mut self, rows: &mut Vec<Row>) -> Result<(), ChainError> {
        // Warm-up: the very first payment also writes the proxy's/token's first slots; not representative.
        let warm = self.fresh_address();
        self.pay_single(warm).await?;

        for recipients in [Recipients::New, Recipients::Existing] {
            let to = self.fresh_address();
            if recipients == Recipients::Existing {
                self.pay_single(to).await?;
            }
            let (gas, input) = self.pay_single(to).await?;
            rows.push(Row {
                mode: self.mode,
                call: "payReferral".into(),
                recipients,
                n: 1,
                gas,
                floor: floor_per_reward(1, &input, recipients),
            });
        }
        for n in BATCH_SIZES {
            for recipients in [Recipients::New, Recipients::Existing] {
                let to: Vec<Address> = (0..n).map(|_| self.fresh_address()).collect();
                if recipients == Recipients::Existing {
                    self.pay_batch(&to).await?;
                }
                let (gas, input) = self.pay_batch(&to).await?;
                rows.push(Row {
                    mode: self.mode,
                    call: "payReferralBatch".into(),
                    recipients,
                    n,
                    gas,
                    floor: floor_per_reward(n, &input, recipients),
                });
            }
        }
        Ok(())
    }
}

async fn measure() -> Result<Vec<Row>, ChainError> {
    let anvil = spawn_anvil()?;
    let url = anvil.endpoint();
    let admin = ChainClient::connect(&url, anvil_signer(&anvil, 0)?).await?;
    let operator = ChainClient::connect(&url, anvil_signer(&anvil, 1)?).await?;
    let mut rows = Vec::new();
    for mode in [Mode::Mint, Mode::Transfer] {
        // TRANSFER: a treasury far larger than everything the bench pays.
        let funding = match mode {
            Mode::Mint => U256::ZERO,
            Mode::Transfer => U256::from(10u128.pow(30)),
        };
        let d = deploy(&admin, admin.sender(), operator.sender(), mode, funding).await?;
        let rewards = ReferralRewards::new(d.proxy, operator.provider().clone());
        Bench {
            rewards,
            mode,
            seq: 0,
        }
        .run(&mut rows)
        .await?;
    }
    Ok(rows)
}

fn print(rows: &[Row]) {
    println!(
        "Gas per reward (anvil, receipts' gasUsed; recipients 'existing' already hold the token)\n"
    );
    println!(
        "{:<9} {:<17} {:<9} {:>4} {:>11} {:>10} {:>10} {:>6}",
        "mode", "call", "recipient", "n", "tx gas", "gas/reward", "floor", "ratio"
    );
    for r in rows {
        println!(
            "{:<9} {:<17} {:<9} {:>4} {:>11} {:>10.0} {:>10.0} {:>6.3}",
            r.mode.as_str(),
            r.call,
            r.recipients.label(),
            r.n,
            r.gas,
            r.per_reward(),
            r.floor,
            r.ratio()
        );
    }
    println!(
        "\nFloor for one reward in a transaction of n rewards =\n\
         \x20 (21000 intrinsic + calldata of the actual transaction: 16 per non-zero byte, 4 per zero byte) / n\n\
         \x20 + {SSTORE_SET_COLD} paidOrders[orderRef] SSTORE 0 -> non-zero on a cold slot (20000 + 2100)\n\
         \x20 + recipient balance SSTORE: new {SSTORE_SET_COLD} (0 -> non-zero, cold) | existing {SSTORE_UPDATE_COLD} (non-zero -> non-zero 2900 + cold 2100)\n\
         \x20 + 2 x {LOG3_32_BYTES} logs: ERC-20 Transfer and ReferralPaid (LOG3 375 + 3 topics x 375 + 32 data bytes x 8)\n\
         It leaves out everything a real contract adds (call to the token, role/pause checks, totalSupply or\n\
         treasury update, proxy delegatecall, ABI decoding), so ratio = gas/reward / floor is the overhead."
    );
}

fn check(rows: &[Row]) -> bool {
    let mut ok = true;
    println!("\nTargets (batch of 100):");
    for r in rows.iter().filter(|r| r.n == 100) {
        let limit = match (r.mode, r.recipients) {
            (Mode::Mint, Recipients::New) => Some(TARGET_NEW),
            (Mode::Mint, Recipients::Existing) => Some(TARGET_EXISTING),
            _ => None,
        };
        if let Some(limit) = limit {
            let pass = r.per_reward() <= limit as f64;
            ok &= pass;
            println!(
                "  {} {:<8} {:>8.0} gas/reward <= {limit}: {}",
                r.mode.as_str(),
                r.recipients.label(),
                r.per_reward(),
                if pass { "ok" } else { "MISSED" }
            );
        }
        let pass = r.ratio() <= TARGET_RATIO;
        ok &= pass;
        println!(
            "  {} {:<8} ratio {:.3} <= {TARGET_RATIO}: {}",
            r.mode.as_str(),
            r.recipients.label(),
            r.ratio(),
            if pass { "ok" } else { "MISSED" }
        );
    }
    ok
}

#[tokio::main]
async fn main() -> ExitCode {
    match measure().await {
        Ok(rows) => {
            print(&rows);
            if check(&rows) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("gas_bench: {e}");
            ExitCode::from(2)
        }
    }
}
