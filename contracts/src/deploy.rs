//! Deploys the reward token, the ReferralRewards implementation and its ERC1967 proxy.

use alloy::primitives::{Address, U256};
use alloy::sol_types::SolCall;
use serde::{Deserialize, Serialize};

use crate::bindings::{ERC1967Proxy, ReferralRewards, RewardToken};
use crate::error::ChainError;
use crate::mode::Mode;
use crate::provider::ChainClient;
use crate::roles::{minter_role, DEFAULT_ADMIN_ROLE};
use crate::tx::{deploy_and_confirm, send_and_confirm};

/// Name and symbol of the test reward token.
pub const TOKEN_NAME: &str = "Refcodes Reward";
pub const TOKEN_SYMBOL: &str = "RREF";

/// Addresses of one deployment. `proxy` is the address the app talks to (REWARDS_CONTRACT_ADDRESS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub token: Address,
    pub implementation: Address,
    pub proxy: Address,
    pub mode: Mode,
}

/// Deploys a fresh test RewardToken, then the ReferralRewards implementation and an ERC1967Proxy initialized with
/// `initialize(admin, operator, token, mode)`. Then:
/// - MINT: grants the proxy the token's MINTER_ROLE;
/// - `treasury_funding > 0` (meant for TRANSFER, allowed in both modes): mints that much to the proxy;
/// - if `admin` is not the sender, also grants `admin` the token's DEFAULT_ADMIN_ROLE and MINTER_ROLE
///   (the sender keeps its token roles: this is a local test token).
pub async fn deploy(
    client: &ChainClient,
    admin: Address,
    operator: Address,
    mode: Mode,
    treasury_funding: U256,
) -> Result<Deployment, ChainError> {
    let provider = client.provider().clone();
    let sender = client.sender();

    let token_address = deploy_and_confirm(
        &RewardToken::deploy_builder(
            provider.clone(),
            TOKEN_NAME.to_string(),
            TOKEN_SYMBOL.to_string(),
            sender,
        ),
        "deploying RewardToken",
    )
    .await?;
    let token = RewardToken::new(token_address, provider.clone());

    let (implementation, proxy) =
        deploy_rewards(client, admin, operator, token_address, mode).await?;

    if mode == Mode::Mint {
        send_and_confirm(
            &token.grantRole(minter_role(), proxy),
            "granting the proxy MINTER_ROLE",
        )
        .await?;
    }
    if treasury_funding > U256::ZERO {
        send_and_confirm(&token.mint(proxy, treasury_funding), "funding the treasury").await?;
    }
    if admin != sender {
        send_and_confirm(
            &token.grantRole(DEFAULT_ADMIN_ROLE, admin),
            "granting admin the token admin role",
        )
        .await?;
        send_and_confirm(
            &token.grantRole(minter_role(), admin),
            "granting admin the token minter role",
        )
        .await?;
    }

    Ok(Deployment {
        token: token_address,
        implementation,
        proxy,
        mode,
    })
}

/// Deploys the ReferralRewards implementation and an initialized ERC1967Proxy for an existing `token`.
/// Returns `(implementation, proxy)`. Granting the proxy minting (MINT) or funding it (TRANSFER) is up to the caller.
pub async fn deploy_rewards(
    client: &ChainClient,
    admin: Address,
    operator: Address,
    token: Address,
    mode: Mode,
) -> Result<(Address, Address), ChainError> {
    let provider = client.provider().clone();
    let implementation = deploy_and_confirm(
        &ReferralRewards::deploy_builder(provider.clone()),
        "deploying the ReferralRewards implementation",
    )
    .await?;
    let init = ReferralRewards::initializeCall {
        admin,
        operator,
        token,
        mode_: mode.as_u8(),
    }
    .abi_encode();
    let proxy = deploy_and_confirm(
        &ERC1967Proxy::deploy_builder(provider, implementation, init.into()),
        "deploying the ERC1967Proxy",
    )
    .await?;
    Ok((implementation, proxy))
}
