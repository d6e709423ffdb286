//! Clawbacks: paid-out rewards on orders refunded afterwards, what was netted and what is left; the admin may
//! waive what is left of an open one, with a reason.
use super::{loaded_list, Actions};
use crate::api::admin::load_clawbacks;
use crate::domain::refcode::{format_token_amount, REWARD_TOKEN_DECIMALS};
use crate::domain::reward::{Clawback, ClawbackStatus};
use crate::i18n::*;
use crate::pages::errors::ErrorText;
use crate::pages::reward_labels::clawback_status_label;
use leptos::prelude::*;

#[component]
pub fn Clawbacks() -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let list = crate::resource::load(move || actions.changes(), |_| load_clawbacks());
    let waive = actions.waive;
    let done = move || {
        waive.value().get().and_then(Result::ok).map(|()| {
            view! { <p class="notice" role="status" data-testid="clawback-waived">{t!(i18n, refcodes.admin.waived)}</p> }
        })
    };
    view! {
        <section class="card" data-testid="admin-clawbacks">
            <h2>{t!(i18n, refcodes.admin.clawbacks_title)}</h2>
            <p class="muted">{t!(i18n, refcodes.admin.clawbacks_lead)}</p>
            {done}
            <ErrorText error=Signal::derive(move || waive.value().get().and_then(Result::err)) />
            {loaded_list(
                list,
                |i18n| view! { <p class="muted">{t!(i18n, refcodes.admin.clawbacks_empty)}</p> }.into_any(),
                |c| view! { <ClawbackRow clawback=c /> },
            )}
        </section>
    }
}

#[component]
fn ClawbackRow(clawback: Clawback) -> impl IntoView {
    let i18n = use_i18n();
    let waive = expect_context::<Actions>().waive;
    let c = clawback;
    let tokens = |wei: &str| format_token_amount(wei, REWARD_TOKEN_DECIMALS);
    let waive_form = (c.status == ClawbackStatus::Open).then(|| {
        let id = c.id.clone();
        view! {
            <ActionForm action=waive attr:class="inline reject">
                <input type="hidden" name="id" value=id />
                <input name="reason" required placeholder=move || t_string!(i18n, refcodes.admin.reason) data-testid="clawback-reason" />
                <button type="submit" class="link" data-testid="clawback-waive">{t!(i18n, refcodes.admin.waive)}</button>
            </ActionForm>
        }
    });
    view! {
        <li data-testid="clawback-row" data-status=c.status.as_str() data-order=c.order_reference.clone() data-left-wei=c.left_wei.clone()>
            <code>{c.order_reference.clone()}</code> " · "
            {c.referrer_email.clone().unwrap_or_default()} " · " {c.referral_code.clone()} " · "
            {t!(i18n, refcodes.clawbacks.amount)} " " {tokens(&c.amount_wei)} " · "
            {t!(i18n, refcodes.clawbacks.netted)} " " {tokens(&c.netted_wei)} " · "
            {t!(i18n, refcodes.clawbacks.left)} " " {tokens(&c.left_wei)} " · "
            {clawback_status_label(c.status)}
            {c.waived_reason.clone().map(|r| view! { " (" {r} ")" })}
            {waive_form}
        </li>
    }
}
