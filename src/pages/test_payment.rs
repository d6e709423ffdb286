//! The test payment page (`PAYMENTS_MODE=test`): stands in for the provider's payment page. Each button
//! makes the server send the provider's signed notification to this site's own webhook.
use super::errors::ErrorText;
use super::guard::RequireUser;
use crate::api::store::{load_order, TestPayment};
use crate::domain::money::display;
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes::use_locale_code;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TestPaymentPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let locale = use_locale_code();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let send = ServerAction::<TestPayment>::new();
    let order = crate::resource::load(
        move || (locale(), reference()),
        |(locale, reference)| load_order(locale.to_string(), reference),
    );
    let button = move |outcome: &'static str, label: AnyView| {
        view! {
            <ActionForm action=send attr:class="inline">
                <input type="hidden" name="locale" value=locale />
                <input type="hidden" name="reference" value=reference />
                <input type="hidden" name="outcome" value=outcome />
                <button type="submit" class="button" data-testid=format!("test-{outcome}")>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <PageTitle text=move || t_string!(i18n, common.testpay.title).to_string() />
        <RequireUser>
            <h1>{t!(i18n, common.testpay.title)}</h1>
            <p class="lead">{t!(i18n, common.testpay.lead)}</p>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Ok(data) => {
                            let amount = display(data.order.amount, &data.order.currency);
                            view! {
                                <section class="card" data-testid="test-payment">
                                    <p>{t!(i18n, common.testpay.amount, amount = move || amount.clone())}</p>
                                    <div class="pay">
                                        {button("approve", t!(i18n, common.testpay.approve).into_any())}
                                        {button("decline", t!(i18n, common.testpay.decline).into_any())}
                                        {button("refund", t!(i18n, common.testpay.refund).into_any())}
                                    </div>
                                </section>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                    }
                })}
            </Suspense>
            <ErrorText error=Signal::derive(move || send.value().get().and_then(Result::err)) />
        </RequireUser>
    }
}
