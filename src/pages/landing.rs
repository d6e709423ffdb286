use crate::i18n::*;
use crate::routes::use_locale_code;
use crate::routes::{self, REFCODES, SIGN_UP};
use crate::session::use_site;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn LandingPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let site = use_site();
    let brand = move || {
        site.get()
            .and_then(Result::ok)
            .map(|s| s.brand_name)
            .unwrap_or_default()
    };
    view! {
        <Title text=move || t_string!(i18n, common.nav.home) />
        <section class="hero">
            <h1>{t!(i18n, common.landing.title)}</h1>
            <p class="lead">
                <Transition>{t!(i18n, common.landing.lead, brand)}</Transition>
            </p>
            <p class="actions">
                <A href=move || routes::href(locale(), SIGN_UP) attr:class="button">{t!(i18n, common.landing.cta_sign_up)}</A>
                <A href=move || routes::href(locale(), REFCODES) attr:class="button secondary">{t!(i18n, common.landing.cta_refcodes)}</A>
            </p>
        </section>
        <section class="steps">
            <h2>{t!(i18n, common.landing.how_title)}</h2>
            <ol>
                <li>{t!(i18n, common.landing.step_code)}</li>
                <li>{t!(i18n, common.landing.step_share)}</li>
                <li>{t!(i18n, common.landing.step_reward)}</li>
            </ol>
        </section>
    }
}
