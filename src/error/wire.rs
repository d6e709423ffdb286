//! An error on the wire: one flat record, `{"code": "short_password", "min": 8}`, decoded back by its code.
use super::AppError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Variants without fields, decoded from their code alone.
pub(super) const PLAIN: &[AppError] = &[
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
pub(super) struct WireError {
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
