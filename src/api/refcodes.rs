//! The member page's server functions, thin over `server/referral/codes.rs` and `server/accounts/wallets/`.
use crate::domain::refcode::{EditedCode, Refcode, RefcodeCard};
use crate::domain::wallet::{Wallet, WalletChallenge};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the member page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefcodesBoard {
    pub cards: Vec<RefcodeCard>,
    pub wallets: Vec<Wallet>,
    /// Messages issued to prove a wallet, still waiting for a signature.
    pub challenges: Vec<WalletChallenge>,
    pub max_codes: u32,
    pub cookie_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Removal {
    Deleted,
    Deactivated,
}

#[server]
pub async fn load_refcodes(locale: String) -> Result<RefcodesBoard, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let locale = if crate::domain::locale::is_supported(&locale) {
        locale
    } else {
        crate::domain::locale::DEFAULT_LOCALE.to_string()
    };
    let cards = ssr::respond(
        crate::server::referral::codes::cards(&s.pool, &s.config, &me.user_id, &locale).await,
    )?;
    let wallets = ssr::respond(crate::server::accounts::wallets::list(&s.pool, &me.user_id).await)?;
    let challenges = ssr::respond(
        crate::server::accounts::wallets::open_challenges(&s.pool, &me.user_id).await,
    )?;
    Ok(RefcodesBoard {
        cards,
        wallets,
        challenges,
        max_codes: s.config.max_codes_per_user,
        cookie_days: s.config.ref_cookie_days,
    })
}

#[server]
pub async fn create_refcode(
    code: Option<String>,
    wallet: String,
    label: Option<String>,
) -> Result<Refcode, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let input = crate::server::referral::codes::NewCode {
        code: code.as_deref(),
        wallet: &wallet,
        label: label.as_deref(),
    };
    ssr::respond(
        crate::server::referral::codes::create(
            &s.pool,
            &s.config,
            &s.visits.known,
            &me.user_id,
            input,
        )
        .await,
    )
}

#[server]
pub async fn edit_refcode(
    code: String,
    wallet: String,
    label: Option<String>,
) -> Result<EditedCode, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let change = crate::server::referral::codes::CodeChange {
        wallet: Some(&wallet),
        label: Some(label.as_deref().unwrap_or_default()),
        active: None,
    };
    let updated = ssr::respond(
        crate::server::referral::codes::update(
            &s.pool,
            &s.visits.known,
            &me.user_id,
            &code,
            change,
        )
        .await,
    )?;
    Ok(EditedCode {
        refcode: updated.refcode,
        repointed_rewards: updated.repointed,
    })
}

#[server]
pub async fn set_refcode_active(code: String, active: bool) -> Result<Refcode, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let change = crate::server::referral::codes::CodeChange {
        active: Some(active),
        ..Default::default()
    };
    ssr::respond(
        crate::server::referral::codes::update(
            &s.pool,
            &s.visits.known,
            &me.user_id,
            &code,
            change,
        )
        .await,
    )
    .map(|updated| updated.refcode)
}

#[server]
pub async fn delete_refcode(code: String) -> Result<Removal, AppError> {
    use crate::server::referral::codes::Removed;
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let removed = ssr::respond(
        crate::server::referral::codes::remove(&s.pool, &s.visits.known, &me.user_id, &code).await,
    )?;
    Ok(match removed {
        Removed::Deleted => Removal::Deleted,
        Removed::Deactivated => Removal::Deactivated,
    })
}

/// Issues the message that proves `address` (the page shows it until it is signed or expires).
#[server]
pub async fn issue_wallet_challenge(address: String) -> Result<WalletChallenge, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    ssr::respond(
        crate::server::accounts::wallets::challenge(&s.pool, &s.config, &me, &address).await,
    )
}

#[server]
pub async fn prove_wallet(message: String, signature: String) -> Result<Vec<Wallet>, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    ssr::respond(
        crate::server::accounts::wallets::prove(&s.pool, &s.config, &me, &message, &signature)
            .await,
    )
}

#[server]
pub async fn remove_wallet(address: String) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    ssr::respond(crate::server::accounts::wallets::remove(&s.pool, &me.user_id, &address).await)
}

#[cfg(feature = "ssr")]
use super::ssr;
