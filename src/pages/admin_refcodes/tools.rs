//! "Mint now" (the cron's routine, with its summary), granting platform credit to a member and refunding an order
//! paid with credit.
use super::Actions;
use crate::i18n::*;
use crate::pages::errors::ErrorText;
use crate::pages::reward_labels::TxHash;
use leptos::prelude::*;

#[component]
pub fn MintNow() -> impl IntoView {
    let i18n = use_i18n();
    let mint = expect_context::<Actions>().mint;
    let summary = move || {
        mint.value().get().and_then(Result::ok).map(|(s, links)| {
            let (minted, failed, waiting, batches) =
                (s.minted, s.failed, s.pending + s.deferred, s.batches);
            view! {
                <div class="notice" role="status" data-testid="mint-summary" data-minted=minted>
                    <p>
                        {t!(i18n, refcodes.admin.mint_minted, count = move || minted)} " · "
                        {t!(i18n, refcodes.admin.mint_failed, count = move || failed)} " · "
                        {t!(i18n, refcodes.admin.mint_waiting, count = move || waiting)} " · "
                        {t!(i18n, refcodes.admin.mint_batches, count = move || batches)}
                    </p>
                    {s.stopped_by.map(|why| view! { <p class="error">{t!(i18n, refcodes.admin.mint_stopped)} " " {why}</p> })}
                    <ul class="tx-list">
                        {s.tx_hashes.into_iter().map(|hash| view! { <li><TxHash hash links=links.clone() /></li> }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    view! {
        <section class="card" data-testid="mint">
            <h2>{t!(i18n, refcodes.admin.mint_title)}</h2>
            <p class="muted">{t!(i18n, refcodes.admin.mint_lead)}</p>
            <ActionForm action=mint>
                <button type="submit" class="button" data-testid="mint-now" disabled=move || mint.pending().get()>
                    {move || if mint.pending().get() {
                        t!(i18n, refcodes.admin.mint_running).into_any()
                    } else {
                        t!(i18n, refcodes.admin.mint_now).into_any()
                    }}
                </button>
            </ActionForm>
            {summary}
            <ErrorText error=Signal::derive(move || mint.value().get().and_then(Result::err)) />
        </section>
    }
}

#[component]
pub fn GrantCredit() -> impl IntoView {
    let i18n = use_i18n();
    let grant = expect_context::<Actions>().grant;
    let granted = move || {
        grant.value().get().and_then(Result::ok).map(|balance| {
            view! { <p class="notice" role="status" data-testid="granted">{t!(i18n, refcodes.admin.granted, balance = move || balance.clone())}</p> }
        })
    };
    view! {
        <section class="card" data-testid="grant-credit">
            <h2>{t!(i18n, refcodes.admin.grant_title)}</h2>
            <ActionForm action=grant>
                <label><span>{t!(i18n, refcodes.admin.grant_email)}</span><input name="email" type="email" required data-testid="grant-email" /></label>
                <label><span>{t!(i18n, refcodes.admin.grant_amount)}</span><input name="amount" inputmode="decimal" required placeholder="250.00" data-testid="grant-amount" /></label>
                <button type="submit" class="button" data-testid="grant-submit">{t!(i18n, refcodes.admin.grant_submit)}</button>
            </ActionForm>
            {granted}
            <ErrorText error=Signal::derive(move || grant.value().get().and_then(Result::err)) />
        </section>
    }
}

#[component]
pub fn RefundOrder() -> impl IntoView {
    let i18n = use_i18n();
    let refund = expect_context::<Actions>().refund;
    let done = move || {
        refund.value().get().and_then(Result::ok).map(|()| {
            view! { <p class="notice" role="status" data-testid="refunded">{t!(i18n, refcodes.admin.refunded)}</p> }
        })
    };
    view! {
        <section class="card" data-testid="refund-order">
            <h2>{t!(i18n, refcodes.admin.refund_title)}</h2>
            <p class="muted">{t!(i18n, refcodes.admin.refund_lead)}</p>
            <ActionForm action=refund>
                <label><span>{t!(i18n, refcodes.admin.refund_reference)}</span><input name="reference" required placeholder="RC-…" data-testid="refund-reference" /></label>
                <button type="submit" class="button" data-testid="refund-submit">{t!(i18n, refcodes.admin.refund_submit)}</button>
            </ActionForm>
            {done}
            <ErrorText error=Signal::derive(move || refund.value().get().and_then(Result::err)) />
        </section>
    }
}
