//! The one error type that crosses the wire. Its `code` is stable (pages translate it,
//! JSON clients branch on it); internals never travel in it.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
// On the wire (server functions only; JSON clients get `{error, message}` from server::errors) an error is one flat
// record, `{"code": "short_password", "min": 8}`: one deserializer instead of one per variant, and it ships in the
// main wasm.
#[serde(into = "WireError", try_from = "WireError")]
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

/// Variants without fields, decoded from their code alone.
const PLAIN: &[AppError] = &[
    AppError::InvalidEmail,
    AppError::EmailTaken,
    AppError::WrongCredentials,
    AppError::InvalidWallet,
    AppError::WalletChecksum,
    AppError::ZeroWallet,
    AppError::CodeTaken,
    AppError::UnknownCode,
    AppError::WalletExists,
    AppError::UnknownWallet,
    AppError::WalletProofMalformed,
    AppError::WalletProofUnknown,
    AppError::WalletProofUsed,
    AppError::WalletProofExpired,
    AppError::WalletProofWrongDomain,
    AppError::WalletProofWrongChain,
    AppError::WalletProofWrongSigner,
    AppError::WalletTaken,
    AppError::WalletNotProven,
    AppError::EmptyOrder,
    AppError::MixedCurrencies,
    AppError::UnknownOrder,
    AppError::InvalidAmount,
    AppError::NotAnUpgrade,
    AppError::CodeBlocked,
    AppError::PriceNeeded,
    AppError::NotRefundable,
    AppError::ClawbackNotOpen,
    AppError::BadSignature,
    AppError::WrongMerchant,
    AppError::AmountMismatch,
    AppError::CronDisabled,
    AppError::BadCronSecret,
    AppError::MetricsDisabled,
    AppError::BadMetricsToken,
    AppError::MintingNotConfigured,
    AppError::MintBusy,
    AppError::ChainUnavailable,
    AppError::UnknownUser,
    AppError::Unauthorized,
    AppError::Forbidden,
    AppError::CrossSite,
    AppError::RequestTimeout,
    AppError::NotFound,
    AppError::Internal,
];

#[derive(Serialize, Deserialize, Default)]
struct WireError {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_secs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    available: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    balance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    codes: Option<String>,
}

impl From<AppError> for WireError {
    fn from(e: AppError) -> Self {
        let mut w = WireError {
            code: e.code().to_owned(),
            ..WireError::default()
        };
        match e {
            AppError::ShortPassword { min } => w.min = Some(min),
            AppError::LongPassword { max }
            | AppError::InvalidLabel { max }
            | AppError::TooManyCodes { max }
            | AppError::TooManyWallets { max }
            | AppError::TooManyLines { max }
            | AppError::InvalidQuantity { max }
            | AppError::ReasonRequired { max }
            | AppError::PayloadTooLarge { max } => w.max = Some(max),
            AppError::TooManyAttempts { retry_minutes } => w.retry_minutes = Some(retry_minutes),
            AppError::RateLimited { retry_secs } => w.retry_secs = Some(retry_secs),
            AppError::InvalidCode { min, max } => (w.min, w.max) = (Some(min), Some(max)),
            AppError::UnknownProduct { product_id } => w.product_id = Some(product_id),
            AppError::OutOfStock {
                product_id,
                available,
            } => (w.product_id, w.available) = (Some(product_id), Some(available)),
            AppError::OrderNotPayable { status } => w.status = Some(status),
            AppError::InsufficientCredit { balance, currency } => {
                (w.balance, w.currency) = (Some(balance), Some(currency))
            }
            AppError::UnknownTier { tier } => w.tier = Some(tier),
            AppError::TooManySelected { count, max } => (w.count, w.max) = (Some(count), Some(max)),
            AppError::IllegalTransition { from, to } => (w.from, w.to) = (Some(from), Some(to)),
            AppError::BadRequest(detail) | AppError::Transport(detail) => w.detail = Some(detail),
            AppError::WalletInUse { codes } => w.codes = Some(codes),
            _ => {}
        }
        w
    }
}

impl TryFrom<WireError> for AppError {
    type Error = String;

    fn try_from(w: WireError) -> Result<Self, String> {
        fn field<T>(value: Option<T>, code: &str, name: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("error {code:?} lacks its field {name:?}"))
        }
        let c = w.code.as_str();
        Ok(match c {
            "short_password" => AppError::ShortPassword {
                min: field(w.min, c, "min")?,
            },
            "long_password" => AppError::LongPassword {
                max: field(w.max, c, "max")?,
            },
            "invalid_label" => AppError::InvalidLabel {
                max: field(w.max, c, "max")?,
            },
            "too_many_codes" => AppError::TooManyCodes {
                max: field(w.max, c, "max")?,
            },
            "too_many_wallets" => AppError::TooManyWallets {
                max: field(w.max, c, "max")?,
            },
            "too_many_lines" => AppError::TooManyLines {
                max: field(w.max, c, "max")?,
            },
            "invalid_quantity" => AppError::InvalidQuantity {
                max: field(w.max, c, "max")?,
            },
            "reason_required" => AppError::ReasonRequired {
                max: field(w.max, c, "max")?,
            },
            "payload_too_large" => AppError::PayloadTooLarge {
                max: field(w.max, c, "max")?,
            },
            "too_many_attempts" => AppError::TooManyAttempts {
                retry_minutes: field(w.retry_minutes, c, "retry_minutes")?,
            },
            "rate_limited" => AppError::RateLimited {
                retry_secs: field(w.retry_secs, c, "retry_secs")?,
            },
            "invalid_code" => AppError::InvalidCode {
                min: field(w.min, c, "min")?,
                max: field(w.max, c, "max")?,
            },
            "unknown_product" => AppError::UnknownProduct {
                product_id: field(w.product_id, c, "product_id")?,
            },
            "out_of_stock" => AppError::OutOfStock {
                product_id: field(w.product_id, c, "product_id")?,
                available: field(w.available, c, "available")?,
            },
            "order_not_payable" => AppError::OrderNotPayable {
                status: field(w.status, c, "status")?,
            },
            "insufficient_credit" => AppError::InsufficientCredit {
                balance: field(w.balance, c, "balance")?,
                currency: field(w.currency, c, "currency")?,
            },
            "unknown_tier" => AppError::UnknownTier {
                tier: field(w.tier, c, "tier")?,
            },
            "too_many_selected" => AppError::TooManySelected {
                count: field(w.count, c, "count")?,
                max: field(w.max, c, "max")?,
            },
            "illegal_transition" => AppError::IllegalTransition {
                from: field(w.from, c, "from")?,
                to: field(w.to, c, "to")?,
            },
            "wallet_in_use" => AppError::WalletInUse {
                codes: field(w.codes, c, "codes")?,
            },
            "bad_request" => AppError::BadRequest(field(w.detail, c, "detail")?),
            "transport" => AppError::Transport(field(w.detail, c, "detail")?),
            _ => PLAIN
                .iter()
                .find(|e| e.code() == c)
                .cloned()
                .ok_or_else(|| format!("unknown error code {c:?}"))?,
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::BadRequest(msg)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_are_client_errors_for_bad_input() {
        for e in [
            AppError::InvalidEmail,
            AppError::ShortPassword { min: 8 },
            AppError::EmailTaken,
            AppError::WrongCredentials,
        ] {
            assert!((400..500).contains(&e.status()), "{e:?}");
        }
        assert_eq!(
            AppError::TooManyAttempts { retry_minutes: 3 }.code(),
            "too_many_attempts"
        );
    }

    #[test]
    fn referral_failures_have_their_own_codes() {
        let cases = [
            (
                AppError::InvalidCode { min: 4, max: 24 },
                "invalid_code",
                400,
            ),
            (AppError::InvalidWallet, "invalid_wallet", 400),
            (AppError::WalletChecksum, "wallet_checksum", 400),
            (AppError::ZeroWallet, "zero_wallet", 400),
            (AppError::InvalidLabel { max: 64 }, "invalid_label", 400),
            (AppError::CodeTaken, "code_taken", 409),
            (AppError::TooManyCodes { max: 20 }, "too_many_codes", 409),
            (AppError::UnknownCode, "unknown_code", 404),
            (AppError::WalletExists, "wallet_exists", 409),
            (
                AppError::TooManyWallets { max: 10 },
                "too_many_wallets",
                409,
            ),
            (AppError::UnknownWallet, "unknown_wallet", 404),
            (
                AppError::WalletProofMalformed,
                "wallet_proof_malformed",
                400,
            ),
            (AppError::WalletProofExpired, "wallet_proof_expired", 400),
            (
                AppError::WalletProofWrongSigner,
                "wallet_proof_wrong_signer",
                400,
            ),
            (AppError::WalletProofUsed, "wallet_proof_used", 409),
            (AppError::WalletTaken, "wallet_taken", 409),
            (AppError::WalletNotProven, "wallet_not_proven", 409),
            (
                AppError::WalletInUse {
                    codes: "SPRING, SUMMER".into(),
                },
                "wallet_in_use",
                409,
            ),
            (AppError::CodeBlocked, "code_blocked", 409),
            (AppError::ClawbackNotOpen, "clawback_not_open", 409),
        ];
        for (e, code, status) in cases {
            assert_eq!((e.code(), e.status()), (code, status), "{e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    fn every_variant() -> Vec<AppError> {
        let text = || "x".to_owned();
        let mut all = PLAIN.to_vec();
        all.extend([
            AppError::ShortPassword { min: 8 },
            AppError::LongPassword { max: 128 },
            AppError::TooManyAttempts { retry_minutes: 3 },
            AppError::RateLimited { retry_secs: 42 },
            AppError::InvalidCode { min: 4, max: 24 },
            AppError::InvalidLabel { max: 64 },
            AppError::TooManyCodes { max: 20 },
            AppError::TooManyWallets { max: 10 },
            AppError::UnknownProduct { product_id: text() },
            AppError::TooManyLines { max: 50 },
            AppError::InvalidQuantity { max: 99 },
            AppError::OutOfStock {
                product_id: text(),
                available: 2,
            },
            AppError::OrderNotPayable { status: text() },
            AppError::InsufficientCredit {
                balance: "1.50".into(),
                currency: "USD".into(),
            },
            AppError::UnknownTier { tier: text() },
            AppError::ReasonRequired { max: 500 },
            AppError::PayloadTooLarge { max: 16 },
            AppError::TooManySelected {
                count: 10_001,
                max: 10_000,
            },
            AppError::IllegalTransition {
                from: "paid".into(),
                to: "approved".into(),
            },
            AppError::BadRequest(text()),
            AppError::Transport(text()),
            AppError::WalletInUse { codes: text() },
        ]);
        all
    }

    #[test]
    fn every_variant_round_trips_through_json() {
        let all = every_variant();
        for e in &all {
            let json = serde_json::to_string(e).unwrap();
            assert_eq!(
                &serde_json::from_str::<AppError>(&json).unwrap(),
                e,
                "{json}"
            );
        }
        let codes: std::collections::BTreeSet<_> = all.iter().map(AppError::code).collect();
        assert_eq!(codes.len(), all.len(), "a code is used twice");
    }

    #[test]
    fn the_wire_form_is_one_flat_record() {
        let json = serde_json::to_value(AppError::InvalidCode { min: 4, max: 24 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid_code", "min": 4, "max": 24})
        );
        let plain = serde_json::to_value(AppError::EmailTaken).unwrap();
        assert_eq!(plain, serde_json::json!({"code": "email_taken"}));
    }

    #[test]
    fn a_malformed_wire_error_is_refused_with_its_reason() {
        let missing = serde_json::from_str::<AppError>(r#"{"code":"short_password"}"#).unwrap_err();
        assert!(missing.to_string().contains("\"min\""), "{missing}");
        let unknown = serde_json::from_str::<AppError>(r#"{"code":"no_such_error"}"#).unwrap_err();
        assert!(unknown.to_string().contains("no_such_error"), "{unknown}");
    }
}
