//! Errors as the reader's language says them.
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn ErrorText(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let code = e.code();
            view! { <p class="error" role="alert" data-code=code>{message(e)}</p> }
        })
    }
}

pub fn message(error: AppError) -> AnyView {
    let i18n = use_i18n();
    match error {
        AppError::InvalidEmail => t!(i18n, common.errors.invalid_email).into_any(),
        AppError::ShortPassword { min } => {
            t!(i18n, common.errors.short_password, count = move || min).into_any()
        }
        AppError::LongPassword { max } => {
            t!(i18n, common.errors.long_password, count = move || max).into_any()
        }
        AppError::EmailTaken => t!(i18n, common.errors.email_taken).into_any(),
        AppError::WrongCredentials => t!(i18n, common.errors.wrong_credentials).into_any(),
        AppError::TooManyAttempts { retry_minutes } => t!(
            i18n,
            common.errors.too_many_attempts,
            count = move || retry_minutes
        )
        .into_any(),
        AppError::RateLimited { retry_secs } => {
            t!(i18n, common.errors.rate_limited, count = move || retry_secs).into_any()
        }
        AppError::InvalidCode { min, max } => t!(
            i18n,
            refcodes.errors.invalid_code,
            min = move || min,
            count = move || max
        )
        .into_any(),
        AppError::InvalidWallet => t!(i18n, refcodes.errors.invalid_wallet).into_any(),
        AppError::WalletChecksum => t!(i18n, refcodes.errors.wallet_checksum).into_any(),
        AppError::ZeroWallet => t!(i18n, refcodes.errors.zero_wallet).into_any(),
        AppError::InvalidLabel { max } => {
            t!(i18n, refcodes.errors.invalid_label, count = move || max).into_any()
        }
        AppError::CodeTaken => t!(i18n, refcodes.errors.code_taken).into_any(),
        AppError::TooManyCodes { max } => {
            t!(i18n, refcodes.errors.too_many_codes, count = move || max).into_any()
        }
        AppError::UnknownCode => t!(i18n, refcodes.errors.unknown_code).into_any(),
        AppError::WalletExists => t!(i18n, refcodes.errors.wallet_exists).into_any(),
        AppError::TooManyWallets { max } => {
            t!(i18n, refcodes.errors.too_many_wallets, count = move || max).into_any()
        }
        AppError::UnknownWallet => t!(i18n, refcodes.errors.unknown_wallet).into_any(),
        AppError::WalletProofMalformed => {
            t!(i18n, refcodes.errors.wallet_proof_malformed).into_any()
        }
        AppError::WalletProofUnknown => t!(i18n, refcodes.errors.wallet_proof_unknown).into_any(),
        AppError::WalletProofUsed => t!(i18n, refcodes.errors.wallet_proof_used).into_any(),
        AppError::WalletProofExpired => t!(i18n, refcodes.errors.wallet_proof_expired).into_any(),
        AppError::WalletProofWrongDomain => {
            t!(i18n, refcodes.errors.wallet_proof_wrong_domain).into_any()
        }
        AppError::WalletProofWrongChain => {
            t!(i18n, refcodes.errors.wallet_proof_wrong_chain).into_any()
        }
        AppError::WalletProofWrongSigner => {
            t!(i18n, refcodes.errors.wallet_proof_wrong_signer).into_any()
        }
        AppError::WalletTaken => t!(i18n, refcodes.errors.wallet_taken).into_any(),
        AppError::WalletNotProven => t!(i18n, refcodes.errors.wallet_not_proven).into_any(),
        AppError::WalletInUse { codes } => t!(
            i18n,
            refcodes.errors.wallet_in_use,
            codes = move || codes.clone()
        )
        .into_any(),
        AppError::EmptyOrder => t!(i18n, common.errors.empty_order).into_any(),
        AppError::UnknownProduct { .. } => t!(i18n, common.errors.unknown_product).into_any(),
        AppError::TooManyLines { max } => {
            t!(i18n, common.errors.too_many_lines, count = move || max).into_any()
        }
        AppError::InvalidQuantity { max } => {
            t!(i18n, common.errors.invalid_quantity, count = move || max).into_any()
        }
        AppError::MixedCurrencies => t!(i18n, common.errors.mixed_currencies).into_any(),
        AppError::OutOfStock { available, .. } => {
            t!(i18n, common.errors.out_of_stock, count = move || available).into_any()
        }
        AppError::UnknownOrder => t!(i18n, common.errors.unknown_order).into_any(),
        AppError::OrderNotPayable { .. } => t!(i18n, common.errors.order_not_payable).into_any(),
        AppError::InsufficientCredit { balance, .. } => t!(
            i18n,
            common.errors.insufficient_credit,
            balance = move || balance.clone()
        )
        .into_any(),
        AppError::InvalidAmount => t!(i18n, common.errors.invalid_amount).into_any(),
        AppError::UnknownTier { .. } => t!(i18n, common.errors.unknown_tier).into_any(),
        AppError::NotAnUpgrade => t!(i18n, common.errors.not_an_upgrade).into_any(),
        AppError::CodeBlocked => t!(i18n, common.errors.code_blocked).into_any(),
        AppError::PriceNeeded => t!(i18n, common.errors.price_needed).into_any(),
        AppError::ClawbackNotOpen => t!(i18n, common.errors.clawback_not_open).into_any(),
        AppError::NotRefundable => t!(i18n, common.errors.not_refundable).into_any(),
        AppError::BadSignature
        | AppError::WrongMerchant
        | AppError::AmountMismatch
        | AppError::PayloadTooLarge { .. } => t!(i18n, common.errors.payment_rejected).into_any(),
        AppError::IllegalTransition { .. } => t!(i18n, common.errors.illegal_transition).into_any(),
        AppError::ReasonRequired { max } => {
            t!(i18n, common.errors.reason_required, count = move || max).into_any()
        }
        AppError::TooManySelected { count, max } => t!(
            i18n,
            common.errors.too_many_selected,
            selected = move || count,
            count = move || max
        )
        .into_any(),
        AppError::Unauthorized => t!(i18n, common.errors.unauthorized).into_any(),
        AppError::Forbidden => t!(i18n, common.errors.forbidden).into_any(),
        AppError::CrossSite => t!(i18n, common.errors.cross_site).into_any(),
        AppError::RequestTimeout => t!(i18n, common.errors.request_timeout).into_any(),
        AppError::NotFound => t!(i18n, common.errors.not_found).into_any(),
        AppError::BadRequest(_) => t!(i18n, common.errors.bad_request).into_any(),
        AppError::UnknownUser => t!(i18n, common.errors.unknown_user).into_any(),
        AppError::MintingNotConfigured => t!(i18n, common.errors.minting_not_configured).into_any(),
        AppError::MintBusy => t!(i18n, common.errors.mint_busy).into_any(),
        AppError::ChainUnavailable => t!(i18n, common.errors.chain_unavailable).into_any(),
        AppError::Internal
        | AppError::CronDisabled
        | AppError::BadCronSecret
        | AppError::MetricsDisabled
        | AppError::BadMetricsToken => t!(i18n, common.errors.internal).into_any(),
        AppError::Transport(_) => t!(i18n, common.errors.transport).into_any(),
    }
}
