//! Sending transactions and reading their receipts.

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionReceipt;
use alloy::sol_types::SolEvent;

use crate::bindings::ReferralRewards;
use crate::error::ChainError;
use crate::provider::DEFAULT_RECEIPT_TIMEOUT;

/// Sends `call` (gas is estimated first, so a revert surfaces here as [`ChainError::Contract`] with decodable
/// revert data), waits for the receipt (at most [`DEFAULT_RECEIPT_TIMEOUT`]) and fails on status 0.
pub async fn send_and_confirm<P, D>(
    call: &CallBuilder<P, D>,
    context: &str,
) -> Result<TransactionReceipt, ChainError>
where
    P: Provider,
    D: CallDecoder,
{
    let pending = call
        .send()
        .await
        .map_err(|e| ChainError::contract(context, e))?;
    let tx_hash = *pending.tx_hash();
    let receipt = pending
        .with_timeout(Some(DEFAULT_RECEIPT_TIMEOUT))
        .get_receipt()
        .await
        .map_err(|source| ChainError::Pending {
            context: context.to_string(),
            tx_hash,
            source: Box::new(source),
        })?;
    if !receipt.status() {
        return Err(ChainError::Reverted {
            context: context.to_string(),
            tx_hash,
        });
    }
    Ok(receipt)
}

/// Deploys through `call` (a `deploy_builder`) and returns the new contract's address.
pub async fn deploy_and_confirm<P, D>(
    call: &CallBuilder<P, D>,
    context: &str,
) -> Result<Address, ChainError>
where
    P: Provider,
    D: CallDecoder,
{
    let receipt = send_and_confirm(call, context).await?;
    receipt
        .contract_address
        .ok_or_else(|| ChainError::NoContractAddress {
            context: context.to_string(),
            tx_hash: receipt.transaction_hash,
        })
}

/// One reward as the contract's events report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payment {
    pub order_ref: B256,
    pub to: Address,
    pub amount: U256,
}

/// The ReferralPaid / ReferralSkipped events of one receipt, in log order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentLogs {
    pub paid: Vec<Payment>,
    pub skipped: Vec<Payment>,
}

/// Decodes the ReferralPaid and ReferralSkipped events that `rewards` (the proxy address) emitted in `receipt`.
pub fn payment_logs(receipt: &TransactionReceipt, rewards: Address) -> PaymentLogs {
    let mut out = PaymentLogs::default();
    for log in receipt
        .inner
        .logs()
        .iter()
        .filter(|log| log.address() == rewards)
    {
        if let Ok(e) = ReferralRewards::ReferralPaid::decode_log(&log.inner) {
            out.paid.push(Payment {
                order_ref: e.data.orderRef,
                to: e.data.to,
                amount: e.data.amount,
            });
        } else if let Ok(e) = ReferralRewards::ReferralSkipped::decode_log(&log.inner) {
            out.skipped.push(Payment {
                order_ref: e.data.orderRef,
                to: e.data.to,
                amount: e.data.amount,
            });
        }
    }
    out
}
