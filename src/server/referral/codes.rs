//! The code registry (seed: `refcode-service`): a member's codes, each bound to a payout wallet.
//! Every operation is scoped to its owner: someone else's code answers exactly like a missing one.
use crate::domain::refcode::{
    generate_code, normalize_code, normalize_label, normalize_wallet, same_wallet, share_link,
    EditedCode, Funnel, Refcode, RefcodeCard, RefcodesBoard, Removal,
};
use crate::error::AppError;
use crate::server::accounts::auth::new_id;
use crate::server::db::{self, refcodes::InsertRefcodeError, refcodes::RefcodeChange};
use crate::server::platform::config::Config;
use crate::server::platform::errors::internal;
use crate::server::referral::known_codes::KnownCodes;
use crate::server::referral::qr;
use rand::Rng;
use sqlx::PgPool;

/// Generated codes are drawn again on the rare collision; this many draws in a row colliding means trouble.
const GENERATE_ATTEMPTS: usize = 8;

pub struct NewCode<'a> {
    /// A vanity code; `None` or blank: generated.
    pub code: Option<&'a str>,
    pub wallet: &'a str,
    pub label: Option<&'a str>,
}

/// `None` leaves a field unchanged; a blank label clears it.
#[derive(Default)]
pub struct CodeChange<'a> {
    pub wallet: Option<&'a str>,
    pub label: Option<&'a str>,
    pub active: Option<bool>,
}

pub async fn create(
    pool: &PgPool,
    config: &Config,
    known: &KnownCodes,
    user_id: &str,
    input: NewCode<'_>,
) -> Result<Refcode, AppError> {
    let vanity = input
        .code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(normalize_code)
        .transpose()?;
    let wallet = normalize_wallet(input.wallet)?;
    let label = normalize_label(input.label)?;
    let attempts = if vanity.is_some() {
        1
    } else {
        GENERATE_ATTEMPTS
    };
    for _ in 0..attempts {
        let code = vanity.clone().unwrap_or_else(random_code);
        match insert_within_limit(pool, config, user_id, &code, &wallet, label.as_deref()).await {
            Err(AppError::CodeTaken) if vanity.is_none() => continue,
            Ok(created) => {
                known.learn(&created.code).await;
                tracing::info!(user_id, code = created.code, "referral code created");
                return Ok(created);
            }
            Err(e) => return Err(e),
        }
    }
    Err(internal(
        "code generation",
        "every generated code collided with an existing one",
    ))
}

/// The limit check and the insert under the member's row lock: concurrent creates cannot overrun it.
async fn insert_within_limit(
    pool: &PgPool,
    config: &Config,
    user_id: &str,
    code: &str,
    wallet: &str,
    label: Option<&str>,
) -> Result<Refcode, AppError> {
    let mut tx = pool.begin().await?;
    if !db::users::lock(&mut *tx, user_id).await? {
        return Err(AppError::Unauthorized);
    }
    if !db::wallets::is_proven_by(&mut *tx, user_id, wallet).await? {
        return Err(AppError::WalletNotProven);
    }
    let held = db::refcodes::count_for_user(&mut *tx, user_id).await?;
    if held >= i64::from(config.max_codes_per_user) {
        return Err(AppError::TooManyCodes {
            max: config.max_codes_per_user,
        });
    }
    let id = new_id();
    let new = db::refcodes::NewRefcode {
        id: &id,
        code,
        user_id,
        wallet,
        label,
    };
    let created = db::refcodes::insert(&mut *tx, &new)
        .await
        .map_err(|e| match e {
            InsertRefcodeError::CodeTaken => AppError::CodeTaken,
            InsertRefcodeError::Db(e) => e.into(),
        })?;
    tx.commit().await?;
    Ok(created)
}

fn random_code() -> String {
    let mut rng = rand::thread_rng();
    generate_code(|n| rng.gen_range(0..n))
}

/// A member's codes with their funnels, oldest first.
pub async fn list(pool: &PgPool, user_id: &str) -> Result<Vec<(Refcode, Funnel)>, AppError> {
    Ok(db::refcodes::list_with_funnel(pool, user_id).await?)
}

/// The member page's view of each code: its share link in `locale`, the link's QR code and the funnel.
async fn cards(
    pool: &PgPool,
    config: &Config,
    user_id: &str,
    locale: &str,
) -> Result<Vec<RefcodeCard>, AppError> {
    Ok(list(pool, user_id)
        .await?
        .into_iter()
        .map(|(refcode, funnel)| {
            let link = share_link(&config.site_url, locale, &refcode.code);
            RefcodeCard {
                qr_svg: qr::svg(&link),
                share_link: link,
                refcode,
                funnel,
            }
        })
        .collect())
}

/// Everything the member page shows: the code cards (links in `locale`), the wallets and open messages, the limits.
pub async fn board(
    pool: &PgPool,
    config: &Config,
    user_id: &str,
    locale: &str,
) -> Result<RefcodesBoard, AppError> {
    let wallets = crate::server::accounts::wallets::board(pool, user_id).await?;
    Ok(RefcodesBoard {
        cards: cards(pool, config, user_id, locale).await?,
        wallets: wallets.wallets,
        challenges: wallets.challenges,
        max_codes: config.max_codes_per_user,
        cookie_days: config.ref_cookie_days,
    })
}

/// Changes a member's code. A new wallet must be one the member has proven; the code's rewards no mint run has
/// claimed yet, and its orders whose reward is still to be written, follow it in the same transaction.
pub async fn update(
    pool: &PgPool,
    known: &KnownCodes,
    user_id: &str,
    code: &str,
    change: CodeChange<'_>,
) -> Result<EditedCode, AppError> {
    let code = normalize_code(code).map_err(|_| AppError::UnknownCode)?;
    let change = RefcodeChange {
        wallet: change.wallet.map(normalize_wallet).transpose()?,
        label: change.label.map(|l| normalize_label(Some(l))).transpose()?,
        active: change.active,
    };
    let mut tx = pool.begin().await?;
    let current = db::refcodes::find_owned(&mut *tx, user_id, &code)
        .await?
        .ok_or(AppError::UnknownCode)?;
    if change.active == Some(true) && current.blocked {
        return Err(AppError::CodeBlocked);
    }
    let mut repointed = Vec::new();
    if let Some(wallet) = &change.wallet {
        if !db::users::lock(&mut *tx, user_id).await? {
            return Err(AppError::Unauthorized);
        }
        // An unchanged wallet needs no new proof (a code from before proofs keeps its label edits).
        let changed = !same_wallet(&current.wallet, wallet);
        if changed && !db::wallets::is_proven_by(&mut *tx, user_id, wallet).await? {
            return Err(AppError::WalletNotProven);
        }
        repointed = db::rewards::repoint(&mut *tx, user_id, &code, wallet).await?;
        repointed.extend(db::orders::repoint_unrewarded(&mut *tx, user_id, &code, wallet).await?);
        repointed.sort();
    }
    let refcode = db::refcodes::update_owned(&mut *tx, user_id, &code, &change)
        .await?
        .ok_or(AppError::UnknownCode)?;
    tx.commit().await?;
    known.forget(&code).await;
    tracing::info!(
        user_id,
        code,
        repointed = repointed.len(),
        "referral code changed"
    );
    Ok(EditedCode {
        refcode,
        repointed_rewards: repointed,
    })
}

pub async fn remove(
    pool: &PgPool,
    known: &KnownCodes,
    user_id: &str,
    code: &str,
) -> Result<Removal, AppError> {
    let code = normalize_code(code).map_err(|_| AppError::UnknownCode)?;
    let mut tx = pool.begin().await?;
    let outcome = db::refcodes::remove_owned(&mut tx, user_id, &code).await?;
    tx.commit().await?;
    match outcome {
        db::refcodes::Removal::Deleted => {
            known.forget(&code).await;
            tracing::info!(user_id, code, "referral code deleted");
            Ok(Removal::Deleted)
        }
        db::refcodes::Removal::Deactivated => {
            known.forget(&code).await;
            tracing::info!(
                user_id,
                code,
                "referral code deactivated instead of deleted"
            );
            Ok(Removal::Deactivated)
        }
        db::refcodes::Removal::NotFound => Err(AppError::UnknownCode),
    }
}
