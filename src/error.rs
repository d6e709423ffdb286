//! The one error type that crosses the wire. Its `code` is stable (pages translate it,
//! JSON clients branch on it); internals never travel in it.
use serde::{Deserialize, Serialize};

mod wire;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
// On the wire (server functions only; JSON clients get `{error, message}` from server::errors) an error is one flat
// record, `{"code": "short_password", "min": 8}`: one deserializer instead of one per variant, and it ships in the
// main wasm.
#[serde(into = "wire::WireError", try_from = "wire::WireError")]
pub enum AppError {
    #[error("enter a valid email address, like name@example.com")]
    InvalidEmail,
    #[error("the password must have at least {min} characters")]
    ShortPassword { min: u32 },
    #[error("the password must have at most {max} characters")]
    LongPassword { max: u32 },
    #[error("an account with this email already exists; sign in instead")]
    EmailTaken,
    #[error("the email or password is wrong")]
    WrongCredentials,
    #[error("too many failed attempts; try again in {retry_minutes} minutes")]
    TooManyAttempts { retry_minutes: u32 },
    #[error("too many requests from your address; try again in {retry_secs} seconds")]
    RateLimited { retry_secs: u32 },
    #[error("a referral code has {min} to {max} characters: letters A–Z, digits 0–9 or dashes")]
    InvalidCode { min: u32, max: u32 },
    #[error("enter a wallet address: 0x followed by 40 hexadecimal characters")]
    InvalidWallet,
    #[error("the wallet address has a wrong checksum (mixed case); check it for typos")]
    WalletChecksum,
    #[error("the zero address cannot receive rewards")]
    ZeroWallet,
    #[error("a label has at most {max} characters, on one line")]
    InvalidLabel { max: u32 },
    #[error("this referral code is taken; choose another")]
    CodeTaken,
    #[error("you already have the maximum of {max} referral codes; delete one first")]
    TooManyCodes { max: u32 },
    #[error("there is no such referral code")]
    UnknownCode,
    #[error("this wallet is already in your profile")]
    WalletExists,
    #[error("a profile holds at most {max} wallets")]
    TooManyWallets { max: u32 },
    #[error("this wallet is not in your profile")]
    UnknownWallet,
    #[error("this is not a signed wallet proof: paste the message exactly as issued and its signature (0x and 130 hex digits)")]
    WalletProofMalformed,
    #[error("this message was not issued to your account, or is too old; start again with \"Add wallet\"")]
    WalletProofUnknown,
    #[error("this message was used already; start again to get a new one")]
    WalletProofUsed,
    #[error("this message expired (they are valid for 10 minutes); start again to get a new one")]
    WalletProofExpired,
    #[error("this message was issued for another site; sign the message this site issued")]
    WalletProofWrongDomain,
    #[error("this message names another chain; sign the message this site issued")]
    WalletProofWrongChain,
    #[error(
        "the signature was not made with this wallet's key; sign with the wallet you are adding"
    )]
    WalletProofWrongSigner,
    #[error(
        "another account has proven this wallet; a wallet receives the rewards of one account only"
    )]
    WalletTaken,
    #[error(
        "prove that you control this wallet first: add it under your wallets and sign the message"
    )]
    WalletNotProven,
    #[error("codes {codes} pay to this wallet; point them to another wallet first")]
    WalletInUse { codes: String },
    #[error("the order is empty; add at least one product")]
    EmptyOrder,
    #[error("there is no product {product_id:?} in the catalog")]
    UnknownProduct { product_id: String },
    #[error("an order holds at most {max} different products")]
    TooManyLines { max: u32 },
    #[error("a quantity is a whole number from 1 to {max}")]
    InvalidQuantity { max: u32 },
    #[error("all products of one order must have the same currency")]
    MixedCurrencies,
    #[error("only {available} of product {product_id:?} left in stock")]
    OutOfStock { product_id: String, available: u32 },
    #[error("there is no such order")]
    UnknownOrder,
    #[error("this order cannot be paid: it is {status}")]
    OrderNotPayable { status: String },
    #[error("not enough credit: the balance is {balance} {currency}")]
    InsufficientCredit { balance: String, currency: String },
    #[error("a credit grant is a positive amount with at most two decimals")]
    InvalidAmount,
    #[error("there is no membership tier {tier:?}")]
    UnknownTier { tier: String },
    #[error("you already have this membership tier or a higher one")]
    NotAnUpgrade,
    #[error("an admin blocked this code: it cannot be switched on")]
    CodeBlocked,
    #[error("this reward has no price yet: it can be approved once the price oracle has answered")]
    PriceNeeded,
    #[error("only an order paid with credit can be refunded here; a card payment is refunded at the payment provider")]
    NotRefundable,
    #[error("this clawback is not open any more: it was settled or waived already")]
    ClawbackNotOpen,
    #[error("the payment notification's signature is wrong")]
    BadSignature,
    #[error("the payment notification is for another merchant account")]
    WrongMerchant,
    #[error("the payment notification's amount or currency does not match the order")]
    AmountMismatch,
    #[error("a rejection needs a reason of at most {max} characters")]
    ReasonRequired { max: u32 },
    #[error("this selection holds {count} rewards; a bulk action takes at most {max}")]
    TooManySelected { count: u64, max: u32 },
    #[error("a reward cannot go from {from} to {to}")]
    IllegalTransition { from: String, to: String },
    #[error("the cron endpoint is closed: CRON_SECRET is not configured")]
    CronDisabled,
    #[error("send the cron secret as `Authorization: Bearer <CRON_SECRET>`")]
    BadCronSecret,
    #[error("the metrics endpoint is closed: METRICS_TOKEN is not configured")]
    MetricsDisabled,
    #[error("send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`")]
    BadMetricsToken,
    #[error("minting is not configured: set CHAIN_RPC_URL, REWARDS_CONTRACT_ADDRESS and REFERRAL_MINTER_PRIVATE_KEY")]
    MintingNotConfigured,
    #[error("a mint run is in progress; try again when it is done")]
    MintBusy,
    #[error(
        "the chain could not be reached; the rewards keep their status and the next run retries"
    )]
    ChainUnavailable,
    #[error("no account has this email or id; check it and try again")]
    UnknownUser,
    #[error("sign in to continue")]
    Unauthorized,
    #[error("this needs an administrator account")]
    Forbidden,
    #[error("this request came from another site and was refused; open the page on this site and try again")]
    CrossSite,
    #[error("not found")]
    NotFound,
    #[error("the request is malformed: {0}")]
    BadRequest(String),
    #[error("the request took too long to arrive or to answer; try again")]
    RequestTimeout,
    #[error("the request body is larger than {max} KiB")]
    PayloadTooLarge { max: u32 },
    #[error("something went wrong on our side; try again in a moment")]
    Internal,
    #[error("the server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// Stable machine-readable code, as in `{"error": "<code>"}`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidEmail => "invalid_email",
            AppError::ShortPassword { .. } => "short_password",
            AppError::LongPassword { .. } => "long_password",
            AppError::EmailTaken => "email_taken",
            AppError::WrongCredentials => "wrong_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::InvalidCode { .. } => "invalid_code",
            AppError::InvalidWallet => "invalid_wallet",
            AppError::WalletChecksum => "wallet_checksum",
            AppError::ZeroWallet => "zero_wallet",
            AppError::InvalidLabel { .. } => "invalid_label",
            AppError::CodeTaken => "code_taken",
            AppError::TooManyCodes { .. } => "too_many_codes",
            AppError::UnknownCode => "unknown_code",
            AppError::WalletExists => "wallet_exists",
            AppError::TooManyWallets { .. } => "too_many_wallets",
            AppError::UnknownWallet => "unknown_wallet",
            AppError::WalletProofMalformed => "wallet_proof_malformed",
            AppError::WalletProofUnknown => "wallet_proof_unknown",
            AppError::WalletProofUsed => "wallet_proof_used",
            AppError::WalletProofExpired => "wallet_proof_expired",
            AppError::WalletProofWrongDomain => "wallet_proof_wrong_domain",
            AppError::WalletProofWrongChain => "wallet_proof_wrong_chain",
            AppError::WalletProofWrongSigner => "wallet_proof_wrong_signer",
            AppError::WalletTaken => "wallet_taken",
            AppError::WalletNotProven => "wallet_not_proven",
            AppError::WalletInUse { .. } => "wallet_in_use",
            AppError::EmptyOrder => "empty_order",
            AppError::UnknownProduct { .. } => "unknown_product",
            AppError::TooManyLines { .. } => "too_many_lines",
            AppError::InvalidQuantity { .. } => "invalid_quantity",
            AppError::MixedCurrencies => "mixed_currencies",
            AppError::OutOfStock { .. } => "out_of_stock",
            AppError::UnknownOrder => "unknown_order",
            AppError::OrderNotPayable { .. } => "order_not_payable",
            AppError::InsufficientCredit { .. } => "insufficient_credit",
            AppError::InvalidAmount => "invalid_amount",
            AppError::UnknownTier { .. } => "unknown_tier",
            AppError::NotAnUpgrade => "not_an_upgrade",
            AppError::CodeBlocked => "code_blocked",
            AppError::PriceNeeded => "price_needed",
            AppError::NotRefundable => "not_refundable",
            AppError::ClawbackNotOpen => "clawback_not_open",
            AppError::BadSignature => "bad_signature",
            AppError::WrongMerchant => "wrong_merchant",
            AppError::AmountMismatch => "amount_mismatch",
            AppError::IllegalTransition { .. } => "illegal_transition",
            AppError::ReasonRequired { .. } => "reason_required",
            AppError::TooManySelected { .. } => "too_many_selected",
            AppError::CronDisabled => "cron_disabled",
            AppError::BadCronSecret => "bad_cron_secret",
            AppError::MetricsDisabled => "metrics_disabled",
            AppError::BadMetricsToken => "bad_metrics_token",
            AppError::MintingNotConfigured => "minting_not_configured",
            AppError::MintBusy => "mint_busy",
            AppError::ChainUnavailable => "chain_unavailable",
            AppError::UnknownUser => "unknown_user",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::CrossSite => "cross_site",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::RequestTimeout => "request_timeout",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidEmail
            | AppError::ShortPassword { .. }
            | AppError::LongPassword { .. }
            | AppError::InvalidCode { .. }
            | AppError::InvalidWallet
            | AppError::WalletProofMalformed
            | AppError::WalletProofUnknown
            | AppError::WalletProofExpired
            | AppError::WalletProofWrongDomain
            | AppError::WalletProofWrongChain
            | AppError::WalletProofWrongSigner
            | AppError::WalletChecksum
            | AppError::ZeroWallet
            | AppError::InvalidLabel { .. }
            | AppError::EmptyOrder
            | AppError::UnknownProduct { .. }
            | AppError::TooManyLines { .. }
            | AppError::InvalidQuantity { .. }
            | AppError::MixedCurrencies
            | AppError::InvalidAmount
            | AppError::UnknownTier { .. }
            | AppError::BadSignature
            | AppError::WrongMerchant
            | AppError::AmountMismatch
            | AppError::ReasonRequired { .. }
            | AppError::TooManySelected { .. }
            | AppError::BadRequest(_) => 400,
            AppError::Unauthorized
            | AppError::WrongCredentials
            | AppError::BadCronSecret
            | AppError::BadMetricsToken => 401,
            AppError::Forbidden
            | AppError::CrossSite
            | AppError::CronDisabled
            | AppError::MetricsDisabled => 403,
            AppError::NotFound
            | AppError::UnknownUser
            | AppError::UnknownCode
            | AppError::UnknownWallet
            | AppError::UnknownOrder => 404,
            AppError::EmailTaken
            | AppError::CodeTaken
            | AppError::TooManyCodes { .. }
            | AppError::WalletExists
            | AppError::TooManyWallets { .. }
            | AppError::WalletProofUsed
            | AppError::WalletTaken
            | AppError::WalletNotProven
            | AppError::WalletInUse { .. }
            | AppError::OutOfStock { .. }
            | AppError::OrderNotPayable { .. }
            | AppError::InsufficientCredit { .. }
            | AppError::NotAnUpgrade
            | AppError::CodeBlocked
            | AppError::PriceNeeded
            | AppError::NotRefundable
            | AppError::ClawbackNotOpen
            | AppError::IllegalTransition { .. }
            | AppError::MintBusy => 409,
            AppError::TooManyAttempts { .. } | AppError::RateLimited { .. } => 429,
            AppError::PayloadTooLarge { .. } => 413,
            AppError::RequestTimeout => 408,
            AppError::Internal => 500,
            AppError::Transport(_) | AppError::ChainUnavailable => 502,
            AppError::MintingNotConfigured => 503,
        }
    }
}

#[cfg(test)]
mod tests;
