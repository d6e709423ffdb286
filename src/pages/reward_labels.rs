//! How a reward reads wherever it is shown (the member's rewards, the admin's ledger and tools): its status and
//! the notes under it, a clawback's standing, a transaction hash.
use crate::domain::refcode::{format_token_amount, REWARD_TOKEN_DECIMALS};
use crate::domain::reward::{ClawbackStatus, RewardStatus, TxLinks};
use crate::i18n::*;
use leptos::prelude::*;

/// A reward status in the reader's language.
pub fn reward_status_label(status: RewardStatus) -> AnyView {
    let i18n = use_i18n();
    match status {
        RewardStatus::Pending => t!(i18n, refcodes.status.pending).into_any(),
        RewardStatus::Approved => t!(i18n, refcodes.status.approved).into_any(),
        RewardStatus::Minting => t!(i18n, refcodes.status.minting).into_any(),
        RewardStatus::Minted => t!(i18n, refcodes.status.minted).into_any(),
        RewardStatus::Netted => t!(i18n, refcodes.status.netted).into_any(),
        RewardStatus::Rejected => t!(i18n, refcodes.status.rejected).into_any(),
        RewardStatus::Voided => t!(i18n, refcodes.status.voided).into_any(),
        RewardStatus::Failed => t!(i18n, refcodes.status.failed).into_any(),
    }
}

/// "On hold until …" under a status, while a card reward waits out its refund window.
#[component]
pub fn HoldNote(until: Option<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    let i18n = use_i18n();
    until.map(|until| {
        let date = until.format("%Y-%m-%d").to_string();
        view! { <br /><small class="muted" data-testid="on-hold">{t!(i18n, refcodes.status.on_hold, date = move || date.clone())}</small> }
    })
}

/// "Waiting for a price" under a status, while a reward has no price in its currency.
#[component]
pub fn PriceNote(needed: bool) -> impl IntoView {
    let i18n = use_i18n();
    needed.then(|| view! { <br /><small class="muted" data-testid="price-needed">{t!(i18n, refcodes.status.price_needed)}</small> })
}

/// "… netted against clawbacks" under a status, when part of the reward went to the referrer's clawbacks.
#[component]
pub fn NettedNote(wei: String) -> impl IntoView {
    let i18n = use_i18n();
    (wei != "0" && !wei.is_empty()).then(|| {
        let amount = format_token_amount(&wei, REWARD_TOKEN_DECIMALS);
        view! { <br /><small class="muted" data-testid="netted" data-wei=wei>{t!(i18n, refcodes.rewards.netted, amount = move || amount.clone())}</small> }
    })
}

/// A clawback's standing in the reader's language.
pub fn clawback_status_label(status: ClawbackStatus) -> AnyView {
    let i18n = use_i18n();
    match status {
        ClawbackStatus::Open => t!(i18n, refcodes.clawbacks.open).into_any(),
        ClawbackStatus::Settled => t!(i18n, refcodes.clawbacks.settled).into_any(),
        ClawbackStatus::Waived => t!(i18n, refcodes.clawbacks.waived).into_any(),
    }
}

/// A transaction hash, shortened, linked to the block explorer when one is configured.
#[component]
pub fn TxHash(hash: String, links: TxLinks) -> impl IntoView {
    let short = if hash.len() > 14 {
        format!("{}…{}", &hash[..10], &hash[hash.len() - 4..])
    } else {
        hash.clone()
    };
    match links.link(&hash) {
        Some(href) => view! {
            <a class="tx" href=href title=hash target="_blank" rel="noopener noreferrer" data-testid="tx-link">{short}</a>
        }
        .into_any(),
        None => view! { <code class="tx" title=hash data-testid="tx-hash">{short}</code> }.into_any(),
    }
}
