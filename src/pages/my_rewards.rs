//! The rewards a member earned on `/refcodes`: each with its status and notes, a page at a time, and the
//! clawbacks of refunded orders.
use super::errors::ErrorText;
use super::reward_labels::{
    clawback_status_label, reward_status_label, HoldNote, NettedNote, PriceNote, TxHash,
};
use crate::api::store::my_rewards;
use crate::domain::money::display;
use crate::domain::refcode::{format_token_amount, REWARD_TOKEN_DECIMALS};
use crate::domain::reward::{Clawback, MyReward, TxLinks};
use crate::i18n::*;
use crate::routes;
use crate::routes::use_locale_code;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Every reward the member earned, with its status.
#[component]
pub fn MyRewards() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let cursor = Memo::new(move |_| query.read().get("older"));
    let rewards = crate::resource::load(move || cursor.get(), my_rewards);
    let locale = use_locale_code();
    view! {
        <section class="card" data-testid="my-rewards">
            <h2>{t!(i18n, refcodes.rewards.title)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match rewards.await {
                        Ok(mine) if mine.rewards.is_empty() => view! { <p class="muted">{t!(i18n, refcodes.rewards.empty)}</p> }.into_any(),
                        Ok(mine) => {
                            let here = routes::href(locale(), routes::REFCODES);
                            let newest = cursor.get_untracked().is_some().then(|| view! {
                                <a href=here.clone() data-testid="rewards-newest">{t!(i18n, refcodes.rewards.newest)}</a>
                            });
                            let older = mine.next_cursor.map(|c| view! {
                                <a href=format!("{here}?older={}", routes::query_value(&c)) data-testid="rewards-older">{t!(i18n, refcodes.rewards.older)}</a>
                            });
                            view! {
                                <RewardTable list=mine.rewards links=mine.tx_links />
                                <p class="pager">{newest}" "{older}</p>
                                <Clawbacks list=mine.clawbacks />
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RewardTable(list: Vec<MyReward>, links: TxLinks) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="rewards">
            <thead>
                <tr>
                    <th>{t!(i18n, refcodes.rewards.order)}</th>
                    <th>{t!(i18n, refcodes.rewards.code)}</th>
                    <th>{t!(i18n, refcodes.rewards.fiat)}</th>
                    <th>{t!(i18n, refcodes.rewards.tokens)}</th>
                    <th>{t!(i18n, refcodes.rewards.status)}</th>
                    <th>{t!(i18n, refcodes.rewards.tx)}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|r| {
                    let tokens = format_token_amount(&r.amount_wei, REWARD_TOKEN_DECIMALS);
                    view! {
                        <tr data-testid="reward-row" data-status=r.status.as_str() data-order=r.order_reference.clone()>
                            <td><code>{r.order_reference.clone()}</code></td>
                            <td>{r.referral_code.clone()}</td>
                            <td>{display(r.fiat_amount, &r.currency)}</td>
                            <td>{tokens}</td>
                            <td data-testid="reward-status">
                                {reward_status_label(r.status)}{wallet_note(&r)}<HoldNote until=r.hold_until /><NettedNote wei=r.netted_wei /><PriceNote needed=r.price_needed />
                            </td>
                            <td>{r.tx_hash.clone().map(|hash| view! { <TxHash hash links=links.clone() /> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// "Waiting: the wallet is not proven" under a status, while an unpaid reward waits for its referrer's proof.
fn wallet_note(reward: &MyReward) -> impl IntoView {
    let i18n = use_i18n();
    reward
        .held_for_wallet
        .then(|| view! { <br /><small class="muted" data-testid="wallet-unproven-hold">{t!(i18n, refcodes.status.wallet_unproven)}</small> })
}

/// The member's clawbacks: rewards paid out on orders refunded afterwards, and what is left to net.
#[component]
fn Clawbacks(list: Vec<Clawback>) -> impl IntoView {
    let i18n = use_i18n();
    (!list.is_empty()).then(|| {
        let tokens = |wei: &str| format_token_amount(wei, REWARD_TOKEN_DECIMALS);
        view! {
            <h3>{t!(i18n, refcodes.clawbacks.title)}</h3>
            <p class="muted">{t!(i18n, refcodes.clawbacks.lead)}</p>
            <table class="rewards" data-testid="clawbacks">
                <thead>
                    <tr>
                        <th>{t!(i18n, refcodes.clawbacks.order)}</th>
                        <th>{t!(i18n, refcodes.rewards.code)}</th>
                        <th>{t!(i18n, refcodes.clawbacks.amount)}</th>
                        <th>{t!(i18n, refcodes.clawbacks.netted)}</th>
                        <th>{t!(i18n, refcodes.clawbacks.left)}</th>
                        <th>{t!(i18n, refcodes.clawbacks.status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|c| view! {
                        <tr data-testid="clawback-row" data-status=c.status.as_str() data-order=c.order_reference.clone() data-left-wei=c.left_wei.clone()>
                            <td><code>{c.order_reference.clone()}</code></td>
                            <td>{c.referral_code.clone()}</td>
                            <td>{tokens(&c.amount_wei)}</td>
                            <td>{tokens(&c.netted_wei)}</td>
                            <td>{tokens(&c.left_wei)}</td>
                            <td>{clawback_status_label(c.status)}{c.waived_reason.clone().map(|r| view! { <br /><small class="muted">{r}</small> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}
