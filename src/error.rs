//! The one error type that crosses the wire. Its `code` is stable (pages translate it,
//! JSON clients branch on it); internals never travel in it.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
// Externally tagged (`"invalid_email"`, `{"short_password": {"min": 8}}`): its deserializer is a fraction of an
// adjacently tagged one's, and it ships in the main wasm. JSON clients get `{error, message}` (server::errors).
#[serde(rename_all = "snake_case")]
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
    #[error("not found")]
    NotFound,
    #[error("the request is malformed: {0}")]
    BadRequest(String),
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
            AppError::BadSignature => "bad_signature",
            AppError::WrongMerchant => "wrong_merchant",
            AppError::AmountMismatch => "amount_mismatch",
            AppError::IllegalTransition { .. } => "illegal_transition",
            AppError::ReasonRequired { .. } => "reason_required",
            AppError::TooManySelected { .. } => "too_many_selected",
            AppError::CronDisabled => "cron_disabled",
            AppError::BadCronSecret => "bad_cron_secret",
            AppError::MintingNotConfigured => "minting_not_configured",
            AppError::MintBusy => "mint_busy",
            AppError::ChainUnavailable => "chain_unavailable",
            AppError::UnknownUser => "unknown_user",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
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
            AppError::Unauthorized | AppError::WrongCredentials | AppError::BadCronSecret => 401,
            AppError::Forbidden | AppError::CronDisabled => 403,
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
            | AppError::OutOfStock { .. }
            | AppError::OrderNotPayable { .. }
            | AppError::InsufficientCredit { .. }
            | AppError::NotAnUpgrade
            | AppError::IllegalTransition { .. }
            | AppError::MintBusy => 409,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal => 500,
            AppError::Transport(_) | AppError::ChainUnavailable => 502,
            AppError::MintingNotConfigured => 503,
        }
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
        ];
        for (e, code, status) in cases {
            assert_eq!((e.code(), e.status()), (code, status), "{e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn round_trips_through_json() {
        let e = AppError::ShortPassword { min: 8 };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }
}
