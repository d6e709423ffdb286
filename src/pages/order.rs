//! An order's page: what was bought, its status, and the two ways to pay — by card (the provider's form, or
//! the test payment page in test mode) and with platform credit.
use super::errors::ErrorText;
use super::guard::RequireUser;
use crate::api::store::{load_order, OrderPage as OrderData, PayWithCredit};
use crate::domain::money::display;
use crate::domain::store::{CardCheckout, OrderKind, OrderStatus, OrderView, Rail};
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes;
use crate::routes::use_locale_code;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    view! {
        <PageTitle text=move || t_string!(i18n, common.order.page_title).to_string() />
        <RequireUser>
            <h1>{move || t!(i18n, common.order.title, reference = reference())}</h1>
            <OrderBody reference=Signal::derive(reference) />
        </RequireUser>
    }
}

#[component]
fn OrderBody(reference: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let pay = ServerAction::<PayWithCredit>::new();
    let order = crate::resource::load(
        move || (locale(), reference.get(), pay.version().get()),
        |(locale, reference, _)| load_order(locale.to_string(), reference),
    );
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(data) => view! { <Summary data pay /> }.into_any(),
                    Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                }
            })}
        </Suspense>
        <ErrorText error=Signal::derive(move || pay.value().get().and_then(Result::err)) />
    }
}

pub fn status_label(status: OrderStatus) -> AnyView {
    let i18n = use_i18n();
    match status {
        OrderStatus::Created => t!(i18n, common.order.created).into_any(),
        OrderStatus::Paid => t!(i18n, common.order.paid).into_any(),
        OrderStatus::Failed => t!(i18n, common.order.failed).into_any(),
        OrderStatus::Refunded => t!(i18n, common.order.refunded).into_any(),
    }
}

#[component]
fn Summary(data: OrderData, pay: ServerAction<PayWithCredit>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let OrderData {
        order,
        card,
        credit_balance,
    } = data;
    let status = order.status;
    let total = display(order.amount, &order.currency);
    let balance = display(credit_balance, &order.currency);
    let reference = order.order_reference.clone();
    let note = match status {
        OrderStatus::Paid => Some(t!(i18n, common.order.paid_note).into_any()),
        OrderStatus::Failed => Some(t!(i18n, common.order.failed_note).into_any()),
        OrderStatus::Refunded => Some(t!(i18n, common.order.refunded_note).into_any()),
        OrderStatus::Created => None,
    };
    let payable = matches!(status, OrderStatus::Created | OrderStatus::Failed);
    let rail = order.rail.map(|r| match r {
        Rail::Fiat => t!(i18n, common.order.rail_fiat).into_any(),
        Rail::Crypto => t!(i18n, common.order.rail_crypto).into_any(),
    });
    view! {
        <section class="card" data-testid="order" data-status=format!("{status:?}").to_lowercase()>
            <Lines order=order.clone() />
            <p>
                <strong>{t!(i18n, common.order.total)}": "</strong>
                <span data-testid="order-total">{total}</span>
            </p>
            <p>
                <strong>{t!(i18n, common.order.status)}": "</strong>
                <span data-testid="order-status">{status_label(status)}</span>
                {rail.map(|r| view! { " (" {r} ")" })}
            </p>
            {order.referral_code.clone().map(|code| view! {
                <p class="muted" data-testid="order-referral">{t!(i18n, common.order.referral, code = move || code.clone())}</p>
            })}
            {note.map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {payable.then(|| {
                let reference = reference.clone();
                view! {
                    <div class="pay">
                        <CardButton card reference=reference.clone() />
                        {(status == OrderStatus::Created).then(|| view! {
                            <ActionForm action=pay attr:class="inline" attr:data-testid="pay-credit-form">
                                <input type="hidden" name="locale" value=locale />
                                <input type="hidden" name="reference" value=reference.clone() />
                                <button type="submit" class="button secondary">{t!(i18n, common.order.pay_credit)}</button>
                            </ActionForm>
                        })}
                        <p class="hint" data-testid="credit-balance">{t!(i18n, common.order.credit_balance, balance = move || balance.clone())}</p>
                    </div>
                }
            })}
            <p><a href=move || routes::href(locale(), routes::STORE)>{t!(i18n, common.order.back_store)}</a></p>
        </section>
    }
}

#[component]
fn Lines(order: OrderView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let currency = order.currency.clone();
    match order.kind {
        OrderKind::Membership => {
            let tier = order.tier.clone().unwrap_or_default();
            view! { <p>{t!(i18n, common.order.membership_line, tier = move || tier.clone())}</p> }
                .into_any()
        }
        OrderKind::Store => view! {
            <ul class="lines">
                {order.lines.into_iter().map(|l| {
                    let line = format!("× {} — {}", l.quantity, display(l.line_total, &currency));
                    view! { <li>{move || l.name.get(locale()).to_string()}" "{line}</li> }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
}

#[component]
fn CardButton(card: CardCheckout, reference: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    match card {
        CardCheckout::Test => view! {
            <a class="button" data-testid="pay-card" href=move || routes::test_payment(locale(), &reference)>
                {t!(i18n, common.order.pay_card)}
            </a>
        }
            .into_any(),
        CardCheckout::Live { action, fields } => view! {
            <form method="post" action=action class="inline">
                {fields.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
                <button type="submit" class="button" data-testid="pay-card">{t!(i18n, common.order.pay_card)}</button>
            </form>
        }
            .into_any(),
    }
}
