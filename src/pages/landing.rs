use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes::use_locale_code;
use crate::routes::{self, REFCODES, SIGN_UP};
use crate::session::use_frame;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn LandingPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let brand = use_frame().brand_name;
    view! {
        <PageTitle text=move || t_string!(i18n, common.nav.home).to_string() />
        <section class="hero">
            <h1>{t!(i18n, common.landing.title)}</h1>
            <p class="lead">
                {t!(i18n, common.landing.lead, brand = move || brand.clone())}
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
