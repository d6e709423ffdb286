//! Paid orders to pay back, with why: the admin refunds them at the payment provider.
use super::{loaded_list, Actions};
use crate::api::admin::load_orders_to_refund;
use crate::domain::admin::{OrderToRefund, RefundReason};
use crate::domain::money::display;
use crate::domain::store::Rail;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn ToRefund() -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let orders = crate::resource::load(move || actions.changes(), |_| load_orders_to_refund());
    view! {
        <section class="card" data-testid="to-refund">
            <h2>{t!(i18n, refcodes.admin.refunds_title)}</h2>
            {loaded_list(
                orders,
                |i18n| view! { <p class="muted">{t!(i18n, refcodes.admin.refunds_empty)}</p> }.into_any(),
                |o| view! { <RefundRow order=o /> },
            )}
        </section>
    }
}

#[component]
fn RefundRow(order: OrderToRefund) -> impl IntoView {
    let i18n = use_i18n();
    let reason = match order.reason {
        RefundReason::PaidTwice => t!(i18n, refcodes.admin.refund_paid_twice).into_any(),
        RefundReason::NotAnUpgrade => t!(i18n, refcodes.admin.refund_not_an_upgrade).into_any(),
    };
    view! {
        <li data-testid="refund-row" data-order=order.order_reference.clone()>
            <code>{order.order_reference.clone()}</code> " · "
            {order.buyer_email.clone().unwrap_or_default()} " · "
            {display(order.amount, &order.currency)} " " {order.currency.clone()} " · "
            {order.rail.map(|rail| match rail {
                Rail::Fiat => t!(i18n, refcodes.admin.rail_fiat).into_any(),
                Rail::Crypto => t!(i18n, refcodes.admin.rail_crypto).into_any(),
            })} " · "
            {reason}
        </li>
    }
}
