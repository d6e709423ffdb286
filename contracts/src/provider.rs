//! Provider construction that avoids alloy's nonce trap.
//!
//! alloy's recommended fillers use a *cached* nonce manager: the nonce is reserved before gas estimation, so a
//! send that reverts during estimation burns a nonce locally and the next transaction waits forever for the
//! missing one. [`ChainClient::connect`] therefore builds the stack by hand: gas estimation, a simple nonce manager
//! that asks the node for the pending count on every send, the chain id, and the wallet.
//! `tests/provider.rs` proves it: a send after a reverted send goes through.

use std::fmt;
use std::time::Duration;

use alloy::network::EthereumWallet;
use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest::{self, Url};

use crate::error::ChainError;

/// How long [`Transport::new`] gives a connection to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long [`crate::tx::send_and_confirm`] waits for a receipt by default.
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// A signing connection to one chain: the provider plus who signs and which chain it is.
#[derive(Clone)]
pub struct ChainClient {
    provider: DynProvider,
    wallet: EthereumWallet,
    sender: Address,
    chain_id: u64,
    rpc_url: String,
}

impl fmt::Debug for ChainClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key: only public facts.
        f.debug_struct("ChainClient")
            .field("sender", &self.sender)
            .field("chain_id", &self.chain_id)
            .field("rpc_url", &self.rpc_url)
            .finish()
    }
}

/// The HTTP(S) client every chain call goes through: rustls, trusting the system's certificate authorities and the
/// operator's extra ones (a private RPC endpoint's own authority, say); 10 s to connect, 30 s per request. Cheap to
/// clone.
#[derive(Clone, Debug)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    /// `extra_roots_pem`: a PEM bundle of certificate authorities to trust besides the system's.
    pub fn new(extra_roots_pem: Option<&[u8]>) -> Result<Transport, ChainError> {
        Transport::with_timeouts(extra_roots_pem, CONNECT_TIMEOUT, Duration::from_secs(30))
    }

    /// [`Transport::new`] with other bounds: `connect` to open a connection, `request` for a whole call.
    pub fn with_timeouts(
        extra_roots_pem: Option<&[u8]>,
        connect: Duration,
        request: Duration,
    ) -> Result<Transport, ChainError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(request);
        if let Some(pem) = extra_roots_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ChainError::Tls(format!("extra certificate authorities: {e}")))?;
            if certs.is_empty() {
                return Err(ChainError::Tls(
                    "extra certificate authorities: the PEM bundle holds no certificate".into(),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| ChainError::Tls(format!("HTTP client: {e}")))?;
        Ok(Transport { client })
    }

    /// The client, for other HTTP(S) calls that should trust the same authorities.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl ChainClient {
    /// Connects over HTTP(S) with `signer` and reads the chain id (so a wrong URL fails here, clearly), trusting
    /// the system's certificate authorities only.
    pub async fn connect(rpc_url: &str, signer: PrivateKeySigner) -> Result<Self, ChainError> {
        ChainClient::connect_via(&Transport::new(None)?, rpc_url, signer).await
    }

    /// [`ChainClient::connect`] through `transport`.
    pub async fn connect_via(
        transport: &Transport,
        rpc_url: &str,
        signer: PrivateKeySigner,
    ) -> Result<Self, ChainError> {
        let url = parse_rpc_url(rpc_url)?;
        let sender = signer.address();
        let wallet = EthereumWallet::from(signer);
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id()
            .wallet(wallet.clone())
            .connect_reqwest(transport.client.clone(), url)
            .erased();
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| ChainError::rpc(format!("reading the chain id from {rpc_url}"), e))?;
        Ok(ChainClient {
            provider,
            wallet,
            sender,
            chain_id,
            rpc_url: rpc_url.to_string(),
        })
    }

    /// The provider (cheap to clone: an `Arc`).
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The signing key, for transactions signed before they are broadcast (`crate::payment`).
    pub(crate) fn wallet(&self) -> &EthereumWallet {
        &self.wallet
    }

    /// The address that signs every transaction sent through this client.
    pub fn sender(&self) -> Address {
        self.sender
    }

    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    pub fn rpc_url(&self) -> &str {
        &self.rpc_url
    }
}

/// A provider without a wallet, for reads (`paidOrders`, balances, logs, price feeds), through `transport`.
pub fn read_only_provider(transport: &Transport, rpc_url: &str) -> Result<DynProvider, ChainError> {
    let url = parse_rpc_url(rpc_url)?;
    Ok(ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_reqwest(transport.client.clone(), url)
        .erased())
}

/// Parses a hex private key (64 hex digits, optional `0x`). The error never echoes the input.
pub fn signer_from_hex(private_key: &str) -> Result<PrivateKeySigner, ChainError> {
    let trimmed = private_key.trim();
    let digits = trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
        .unwrap_or(trimmed);
    if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ChainError::InvalidPrivateKey);
    }
    digits
        .parse::<PrivateKeySigner>()
        .map_err(|_| ChainError::InvalidPrivateKey)
}

fn parse_rpc_url(rpc_url: &str) -> Result<Url, ChainError> {
    let url = Url::parse(rpc_url.trim()).map_err(|e| ChainError::InvalidRpcUrl {
        url: rpc_url.to_string(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(ChainError::InvalidRpcUrl {
            url: rpc_url.to_string(),
            reason: format!("scheme {other:?} is not supported (use http or https)"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // anvil's well-known first dev key (public test fixture, not a secret).
    const ANVIL_KEY_0: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn parses_keys_with_and_without_prefix() {
        let a = signer_from_hex(ANVIL_KEY_0).unwrap();
        let b = signer_from_hex(&format!("0x{ANVIL_KEY_0}\n")).unwrap();
        assert_eq!(a.address(), b.address());
        assert_eq!(
            a.address(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
                .parse::<Address>()
                .unwrap()
        );
    }

    #[test]
    fn bad_keys_fail_without_echoing() {
        let too_long = format!("{ANVIL_KEY_0}00");
        let zero = "0".repeat(64);
        for bad in ["", "0x12", "zz", too_long.as_str(), zero.as_str()] {
            let err = signer_from_hex(bad).unwrap_err();
            assert!(matches!(err, ChainError::InvalidPrivateKey), "{bad:?}");
        }
        let message = signer_from_hex(&too_long).unwrap_err().to_string();
        assert!(
            !message.contains(ANVIL_KEY_0),
            "the error must not echo the key: {message}"
        );
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(matches!(
            parse_rpc_url("not a url"),
            Err(ChainError::InvalidRpcUrl { .. })
        ));
        assert!(matches!(
            parse_rpc_url("ws://127.0.0.1:8545"),
            Err(ChainError::InvalidRpcUrl { .. })
        ));
        assert!(parse_rpc_url("http://127.0.0.1:8545").is_ok());
    }
}
