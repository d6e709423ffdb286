//! Reward payments signed before they are broadcast, with a nonce the caller chooses: the caller stores the hash
//! and the nonce first, then broadcasts, so no transaction ever leaves the process unrecorded. A payment not mined
//! in time is signed again with the **same nonce** and fees raised by [`Fees::replacing`] (EIP-1559 replacement:
//! both fees at least [`BUMP_PERCENT`] % above the pooled ones); one the node dropped is signed again the same way.
//! Whichever of them is mined pays the same rewards; a second nonce for them is never needed while the first can
//! still be mined (the caller knows that from [`Minter::nonces`]: the nonce is open while the account's mined
//! count is not past it).

use alloy::eips::eip2718::Encodable2718;
use alloy::network::{NetworkTransactionBuilder, TransactionBuilder};
use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;

use crate::error::ChainError;
use crate::minter::{check_batch, columns, describe, Minter, RewardEntry};

/// What a node asks of a replacement, in percent over each pooled fee (geth's default price bump is 10 %).
pub const BUMP_PERCENT: u128 = 12;

/// The gas of a plain transfer (a cancellation).
const CANCEL_GAS: u64 = 21_000;

/// Gas limit over the estimate, in percent: room for the state to change before a replacement is mined.
const GAS_MARGIN_PERCENT: u64 = 20;

/// EIP-1559 fees of a transaction, in wei per gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fees {
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
}

impl Fees {
    /// The fees a replacement of a transaction pooled at `self` needs, given today's `estimate`: each fee the
    /// larger of the estimate and the pooled fee raised by [`BUMP_PERCENT`] (rounded up), and the tip never above
    /// the cap.
    pub fn replacing(self, estimate: Fees) -> Fees {
        let bump =
            |fee: u128| fee.saturating_add((fee.saturating_mul(BUMP_PERCENT)).div_ceil(100).max(1));
        let max_fee_per_gas = bump(self.max_fee_per_gas).max(estimate.max_fee_per_gas);
        let max_priority_fee_per_gas = bump(self.max_priority_fee_per_gas)
            .max(estimate.max_priority_fee_per_gas)
            .min(max_fee_per_gas);
        Fees {
            max_fee_per_gas,
            max_priority_fee_per_gas,
        }
    }
}

/// A signed payment, not broadcast yet.
#[derive(Clone, Debug)]
pub struct SignedPayment {
    pub hash: B256,
    pub nonce: u64,
    pub fees: Fees,
    raw: Bytes,
}

/// The minter account's nonces: `mined` is the next nonce a block will take (transactions mined so far),
/// `pending` counts the node's pool as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nonces {
    pub mined: u64,
    pub pending: u64,
}

impl Minter {
    /// Signs the payment of `entries` with `nonce`, at today's fees or, replacing a pooled transaction, at
    /// [`Fees::replacing`] those of `replaces`. Gas is estimated first, so a revert fails here
    /// ([`ChainError::Contract`]), before anything is signed — on the latest block, not the pending one: a node
    /// whose pending state holds the transaction being replaced would price a batch whose orders are paid
    /// already, too little for the replacement that pays them.
    pub async fn sign_payment(
        &self,
        entries: &[RewardEntry],
        nonce: u64,
        replaces: Option<Fees>,
    ) -> Result<SignedPayment, ChainError> {
        check_batch(entries)?;
        let context = format!("signing {}", describe(entries));
        let request = self.payment_request(entries);
        let gas = self
            .client()
            .provider()
            .estimate_gas(request.clone())
            .latest()
            .await
            .map_err(|e| {
                ChainError::contract(&context, alloy::contract::Error::TransportError(e))
            })?;
        let estimate = self.fee_estimate().await?;
        let fees = replaces.map_or(estimate, |pooled| pooled.replacing(estimate));
        let gas = gas.saturating_add(gas.saturating_mul(GAS_MARGIN_PERCENT) / 100);
        self.sign(request, nonce, gas, fees, context).await
    }

    async fn sign(
        &self,
        request: TransactionRequest,
        nonce: u64,
        gas: u64,
        fees: Fees,
        context: String,
    ) -> Result<SignedPayment, ChainError> {
        let envelope = request
            .with_nonce(nonce)
            .with_chain_id(self.client().chain_id())
            .with_gas_limit(gas)
            .with_max_fee_per_gas(fees.max_fee_per_gas)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas)
            .build(self.client().wallet())
            .await
            .map_err(|e| ChainError::Sign {
                context,
                reason: e.to_string(),
            })?;
        Ok(SignedPayment {
            hash: *envelope.tx_hash(),
            nonce,
            fees,
            raw: envelope.encoded_2718().into(),
        })
    }

    /// Signs a transfer of nothing from the minter to itself with `nonce`, at today's fees or replacing a pooled
    /// transaction: it takes the nonce of a payment that can no longer be made, so later nonces are not stuck
    /// behind it.
    pub async fn sign_cancel(
        &self,
        nonce: u64,
        replaces: Option<Fees>,
    ) -> Result<SignedPayment, ChainError> {
        let estimate = self.fee_estimate().await?;
        let fees = replaces.map_or(estimate, |pooled| pooled.replacing(estimate));
        let request = TransactionRequest::default()
            .with_from(self.sender())
            .with_to(self.sender())
            .with_value(U256::ZERO);
        self.sign(
            request,
            nonce,
            CANCEL_GAS,
            fees,
            format!("signing the cancellation of nonce {nonce}"),
        )
        .await
    }

    /// Broadcasts a signed payment (`eth_sendRawTransaction`). A node that already holds it answers so: that is
    /// success too.
    pub async fn broadcast(&self, payment: &SignedPayment) -> Result<(), ChainError> {
        match self
            .client()
            .provider()
            .send_raw_transaction(&payment.raw)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.as_error_resp().is_some_and(|p| already_known(&p.message)) => Ok(()),
            Err(e) => Err(ChainError::rpc(
                format!(
                    "broadcasting transaction {} (nonce {})",
                    payment.hash, payment.nonce
                ),
                e,
            )),
        }
    }

    /// The minter account's nonces.
    pub async fn nonces(&self) -> Result<Nonces, ChainError> {
        self.nonces_of(self.sender()).await
    }

    /// The nonces of `sender` (another key that signed for the minter before, say).
    pub async fn nonces_of(&self, sender: Address) -> Result<Nonces, ChainError> {
        let provider = self.client().provider();
        let read = |e| ChainError::rpc(format!("reading the nonce of {sender}"), e);
        let mined = provider
            .get_transaction_count(sender)
            .latest()
            .await
            .map_err(read)?;
        let pending = provider
            .get_transaction_count(sender)
            .pending()
            .await
            .map_err(read)?;
        Ok(Nonces { mined, pending })
    }

    /// The fees of `tx` while it waits in the node's pool; `None` when the node does not hold it unmined (never
    /// seen, dropped, or mined).
    pub async fn pooled(&self, tx: B256) -> Result<Option<Fees>, ChainError> {
        use alloy::consensus::Transaction as _;
        let found = self
            .client()
            .provider()
            .get_transaction_by_hash(tx)
            .await
            .map_err(|e| ChainError::rpc(format!("reading transaction {tx}"), e))?;
        // A legacy transaction pays its gas price as both cap and tip.
        Ok(found.filter(|t| t.block_number.is_none()).map(|t| Fees {
            max_fee_per_gas: t.max_fee_per_gas(),
            max_priority_fee_per_gas: t
                .max_priority_fee_per_gas()
                .unwrap_or_else(|| t.max_fee_per_gas()),
        }))
    }

    /// Today's EIP-1559 fees, as the node estimates them.
    pub async fn fee_estimate(&self) -> Result<Fees, ChainError> {
        let estimate = self
            .client()
            .provider()
            .estimate_eip1559_fees()
            .await
            .map_err(|e| ChainError::rpc("estimating fees", e))?;
        Ok(Fees {
            max_fee_per_gas: estimate.max_fee_per_gas,
            max_priority_fee_per_gas: estimate.max_priority_fee_per_gas,
        })
    }

    fn payment_request(&self, entries: &[RewardEntry]) -> TransactionRequest {
        let request = match entries {
            [one] => self
                .contract()
                .payReferral(one.to, one.amount, one.order_ref)
                .into_transaction_request(),
            many => {
                let (to, amounts, refs) = columns(many);
                self.contract()
                    .payReferralBatch(to, amounts, refs)
                    .into_transaction_request()
            }
        };
        request.with_from(self.sender())
    }
}

/// Whether a node's refusal says it holds this very transaction already (geth, anvil, erigon, nethermind wordings).
fn already_known(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("already known") || m.contains("known transaction") || m.contains("already imported")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fees(max: u128, tip: u128) -> Fees {
        Fees {
            max_fee_per_gas: max,
            max_priority_fee_per_gas: tip,
        }
    }

    #[test]
    fn a_replacement_raises_both_fees_by_the_bump_at_least() {
        let pooled = fees(100_000_000_000, 2_000_000_000);
        let low = fees(1, 1);
        let r = pooled.replacing(low);
        assert_eq!(r, fees(112_000_000_000, 2_240_000_000));
        // Both above geth's 10 % rule, strictly.
        assert!(r.max_fee_per_gas * 100 > pooled.max_fee_per_gas * 110);
        assert!(r.max_priority_fee_per_gas * 100 > pooled.max_priority_fee_per_gas * 110);
    }

    #[test]
    fn a_replacement_follows_the_market_when_it_rose_more() {
        let r = fees(100, 10).replacing(fees(500, 50));
        assert_eq!(r, fees(500, 50));
    }

    #[test]
    fn tiny_fees_still_rise_and_the_tip_never_exceeds_the_cap() {
        assert_eq!(fees(1, 0).replacing(fees(0, 0)), fees(2, 1));
        assert_eq!(fees(10, 10).replacing(fees(0, 100)), fees(12, 12));
    }

    #[test]
    fn nodes_that_hold_the_transaction_already_are_recognised() {
        for m in [
            "already known",
            "ALREADY_EXISTS: already known",
            "known transaction: 0xab",
            "Transaction already imported",
        ] {
            assert!(already_known(m), "{m}");
        }
        assert!(!already_known("replacement transaction underpriced"));
        assert!(!already_known("nonce too low"));
    }
}
