//! Shared fixture: a fresh anvil per test, accounts, a deployment and contract handles per role.

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::node_bindings::AnvilInstance;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionReceipt;
use refcodes_chain::anvil::{anvil_signer, spawn_anvil};
use refcodes_chain::ReferralRewards::{ReferralRewardsErrors, ReferralRewardsInstance};
use refcodes_chain::RewardToken::RewardTokenInstance;
use refcodes_chain::{
    deploy, send_and_confirm, ChainClient, Deployment, Minter, Mode, ReferralRewards, RewardEntry,
    RewardToken,
};

/// Bindings of the first deployed implementation and of a later one (tests only). Each in its own module: their
/// ABIs refer to `ReferralRewards.Mode`, so `sol!` also emits a `ReferralRewards` item that would clash with the
/// crate's.
pub mod v1 {
    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug, PartialEq, Eq)]
        ReferralRewardsV1,
        "artifacts/ReferralRewardsV1.json"
    );
}
pub mod next {
    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug, PartialEq, Eq)]
        ReferralRewardsNext,
        "artifacts/ReferralRewardsNext.json"
    );
}
pub use next::ReferralRewardsNext;
pub use v1::ReferralRewardsV1;

/// One token unit with 18 decimals.
pub const ONE: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

pub struct Env {
    // Kept alive for the test; anvil is killed on drop.
    pub _anvil: AnvilInstance,
    pub admin: ChainClient,
    pub operator: ChainClient,
    pub stranger: ChainClient,
    pub deployment: Deployment,
}

impl Env {
    /// anvil + deployment with admin = account 0, operator = account 1, stranger = account 2.
    pub async fn new(mode: Mode, treasury_funding: U256) -> Env {
        let anvil = spawn_anvil().expect("start anvil");
        let url = anvil.endpoint();
        let client = |i| {
            let signer = anvil_signer(&anvil, i).expect("dev key");
            let url = url.clone();
            async move { ChainClient::connect(&url, signer).await.expect("connect") }
        };
        let admin = client(0).await;
        let operator = client(1).await;
        let stranger = client(2).await;
        let deployment = deploy(
            &admin,
            admin.sender(),
            operator.sender(),
            mode,
            treasury_funding,
        )
        .await
        .expect("deploy");
        assert_eq!(deployment.mode, mode);
        Env {
            _anvil: anvil,
            admin,
            operator,
            stranger,
            deployment,
        }
    }

    pub fn rewards(&self, who: &ChainClient) -> ReferralRewardsInstance<DynProvider> {
        ReferralRewards::new(self.deployment.proxy, who.provider().clone())
    }

    pub fn token(&self, who: &ChainClient) -> RewardTokenInstance<DynProvider> {
        RewardToken::new(self.deployment.token, who.provider().clone())
    }

    pub async fn balance(&self, of: Address) -> U256 {
        self.token(&self.admin)
            .balanceOf(of)
            .call()
            .await
            .expect("balanceOf")
    }

    pub async fn total_supply(&self) -> U256 {
        self.token(&self.admin)
            .totalSupply()
            .call()
            .await
            .expect("totalSupply")
    }

    /// The operator's minter, polling receipts every 50 ms.
    pub fn minter(&self) -> Minter {
        Minter::new(self.operator.clone(), self.deployment.proxy)
            .with_poll_interval(std::time::Duration::from_millis(50))
    }

    /// Lets `seconds` pass on the chain (and mines a block).
    pub async fn wait(&self, seconds: u64) {
        let provider = self.admin.provider();
        let _: serde_json::Value = provider
            .raw_request("evm_increaseTime".into(), (seconds,))
            .await
            .unwrap();
        let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    }

    pub async fn is_paid(&self, order_ref: B256) -> bool {
        self.rewards(&self.admin)
            .paidOrders(order_ref)
            .call()
            .await
            .expect("paidOrders")
    }
}

/// A fresh recipient address that has never held tokens.
pub fn recipient(n: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0xbe;
    bytes[12..].copy_from_slice(&n.to_be_bytes());
    Address::from(bytes)
}

/// A reward entry for `recipient(n)` of `amount` for `order_ref(reference)`.
pub fn entry(n: u64, amount: U256, reference: &str) -> RewardEntry {
    RewardEntry {
        to: recipient(n),
        amount,
        order_ref: refcodes_chain::order_ref(reference),
    }
}

/// A fresh directory under the system temp dir, removed (best effort) on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "refcodes-chain-{label}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sends and expects success.
pub async fn ok<P: Provider, D: CallDecoder>(call: CallBuilder<P, D>) -> TransactionReceipt {
    send_and_confirm(&call, "test send")
        .await
        .expect("transaction should succeed")
}

/// Sends, expects a revert, and returns the decoded ReferralRewards error.
pub async fn reverts<P: Provider, D: CallDecoder>(
    call: CallBuilder<P, D>,
) -> ReferralRewardsErrors {
    let err = send_and_confirm(&call, "test send")
        .await
        .expect_err("transaction should revert");
    err.revert()
        .unwrap_or_else(|| panic!("revert not decodable as a ReferralRewards error: {err}"))
}
