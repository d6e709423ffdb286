//! The member's payout wallets, each proven by signature (README, "Payout wallets").
//!
//! Adding a wallet issues an EIP-4361 message ([`proof`]) bound to this site, the payout chain, a single-use nonce
//! and ten minutes; the member signs it in a browser wallet or anywhere else and sends it back. The proof is stored
//! (message and signature) only when the nonce is the member's and unused, the message is exactly the one issued,
//! and the signature recovers the wallet's address; a proven wallet belongs to one account. Codes may pay only
//! proven wallets (`referral/codes.rs`); rewards of older codes paying unproven ones wait in the minter until the
//! owner proves them. The wallet-overlap guard counts every wallet of a buyer (`db::wallets::of_buyer`).
pub mod proof;

use crate::domain::refcode::normalize_wallet;
use crate::domain::user::Me;
use crate::domain::wallet::{Wallet, WalletBoard, WalletChallenge};
use crate::error::AppError;
use crate::server::db::{self, wallets::NewChallenge, wallets::Proof, wallets::Proved};
use crate::server::platform::config::Config;
use sqlx::PgPool;
use time::OffsetDateTime;

/// More than anyone holds for real; bounds the list.
pub const MAX_WALLETS: u32 = 20;
/// Messages a member may have open at once; asking for more drops the oldest.
pub const MAX_OPEN_CHALLENGES: i64 = 5;

/// The member's wallets, in the order they were added.
async fn list(pool: &PgPool, user_id: &str) -> Result<Vec<Wallet>, AppError> {
    Ok(db::wallets::list(pool, user_id)
        .await?
        .into_iter()
        .map(|w| Wallet {
            address: w.address,
            proven_at: w.proven_at,
        })
        .collect())
}

/// The member's messages still waiting for a signature, newest first.
async fn open_challenges(pool: &PgPool, user_id: &str) -> Result<Vec<WalletChallenge>, AppError> {
    Ok(db::wallets::open_challenges(pool, user_id)
        .await?
        .into_iter()
        .map(|c| WalletChallenge {
            address: c.address,
            message: c.message,
            expires_at: c.expires_at,
        })
        .collect())
}

/// The member's wallets and open messages together (the member page and `GET /api/me/wallets`).
pub async fn board(pool: &PgPool, user_id: &str) -> Result<WalletBoard, AppError> {
    Ok(WalletBoard {
        wallets: list(pool, user_id).await?,
        challenges: open_challenges(pool, user_id).await?,
    })
}

/// Issues the message that proves `address` for the member.
pub async fn challenge(
    pool: &PgPool,
    config: &Config,
    me: &Me,
    address: &str,
) -> Result<WalletChallenge, AppError> {
    let address = normalize_wallet(address)?;
    let nonce = siwe::generate_nonce();
    let now = OffsetDateTime::now_utc();
    let statement = proof::statement(&config.brand_name, &me.email);
    let message = proof::issue(&site(config), &address, &statement, &nonce, now)?;
    let expires_at = to_chrono(now + proof::VALID_FOR);
    let mut conn = pool.acquire().await?;
    let new = NewChallenge {
        nonce: &nonce,
        user_id: &me.user_id,
        address: &address,
        message: &message,
        expires_at,
    };
    db::wallets::issue_challenge(&mut conn, &new, MAX_OPEN_CHALLENGES).await?;
    tracing::info!(user_id = me.user_id, "wallet proof message issued");
    Ok(WalletChallenge {
        address,
        message,
        expires_at,
    })
}

/// Checks a signed message and stores the proof; returns the member's wallets afterwards. Nothing is stored, and
/// the nonce stays unused, when any check fails.
pub async fn prove(
    pool: &PgPool,
    config: &Config,
    me: &Me,
    message: &str,
    signature: &str,
) -> Result<Vec<Wallet>, AppError> {
    let text = proof::normalize(message);
    let parsed = proof::check(&text, &site(config), OffsetDateTime::now_utc())?;
    let mut tx = pool.begin().await?;
    let issued = db::wallets::challenge_for_update(&mut *tx, &parsed.nonce)
        .await?
        .filter(|c| c.user_id == me.user_id)
        .ok_or(AppError::WalletProofUnknown)?;
    if issued.consumed {
        return Err(AppError::WalletProofUsed);
    }
    if issued.expires_at < chrono::Utc::now() {
        return Err(AppError::WalletProofExpired);
    }
    if issued.message != text {
        return Err(AppError::WalletProofMalformed);
    }
    let signer = refcodes_chain::signatures::personal_signer(&text, signature)
        .map_err(|_| AppError::WalletProofMalformed)?;
    let address = proof::address_of(&parsed);
    if !signer.to_checksum(None).eq_ignore_ascii_case(&address) {
        return Err(AppError::WalletProofWrongSigner);
    }
    if !db::users::lock(&mut *tx, &me.user_id).await? {
        return Err(AppError::Unauthorized);
    }
    if db::wallets::count(&mut *tx, &me.user_id).await? >= i64::from(MAX_WALLETS) {
        let known = db::wallets::list(&mut *tx, &me.user_id).await?;
        if !known
            .iter()
            .any(|w| w.address.eq_ignore_ascii_case(&address))
        {
            return Err(AppError::TooManyWallets { max: MAX_WALLETS });
        }
    }
    let stored = Proof {
        user_id: &me.user_id,
        address: &address,
        message: &text,
        signature: signature.trim(),
    };
    match db::wallets::prove(&mut tx, &parsed.nonce, &stored).await? {
        Proved::Stored => {}
        Proved::AlreadyProven => return Err(AppError::WalletExists),
        Proved::Taken => return Err(AppError::WalletTaken),
    }
    tx.commit().await?;
    tracing::info!(user_id = me.user_id, "wallet proven");
    list(pool, &me.user_id).await
}

/// Removes a wallet however it is spelled; refused while codes of the member, or their rewards and orders not
/// claimed by a mint run yet, pay to it.
pub async fn remove(pool: &PgPool, user_id: &str, address: &str) -> Result<(), AppError> {
    let address = address.trim();
    let well_formed = address.len() == 42
        && address.starts_with("0x")
        && address[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(AppError::InvalidWallet);
    }
    let mut tx = pool.begin().await?;
    if !db::users::lock(&mut *tx, user_id).await? {
        return Err(AppError::Unauthorized);
    }
    let codes = db::wallets::codes_paying_to(&mut *tx, user_id, address).await?;
    if !codes.is_empty() {
        return Err(AppError::WalletInUse {
            codes: codes.join(", "),
        });
    }
    if !db::wallets::remove(&mut *tx, user_id, address).await? {
        return Err(AppError::UnknownWallet);
    }
    tx.commit().await?;
    tracing::info!(user_id, "wallet removed");
    Ok(())
}

fn site(config: &Config) -> proof::Site {
    proof::Site::new(&config.site_url, config.payout_chain_id())
}

fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}
