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
        AppError::Unauthorized => t!(i18n, common.errors.unauthorized).into_any(),
        AppError::Forbidden => t!(i18n, common.errors.forbidden).into_any(),
        AppError::NotFound => t!(i18n, common.errors.not_found).into_any(),
        AppError::BadRequest(_) => t!(i18n, common.errors.bad_request).into_any(),
        AppError::Internal => t!(i18n, common.errors.internal).into_any(),
        AppError::Transport(_) => t!(i18n, common.errors.transport).into_any(),
    }
}
