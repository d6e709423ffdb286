//! The member's page (the seed's REFCODES route).
use super::guard::RequireUser;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// How long a captured referral is remembered, shown in the explanation.
const REF_COOKIE_DAYS: u32 = 30;

#[component]
pub fn RefcodesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, refcodes.page.title) />
        <RequireUser>
            <h1>{t!(i18n, refcodes.page.title)}</h1>
            <section class="card empty" data-testid="refcodes-empty">
                <h2>{t!(i18n, refcodes.page.empty_title)}</h2>
                <p>{t!(i18n, refcodes.page.empty_body, days = move || REF_COOKIE_DAYS)}</p>
            </section>
        </RequireUser>
    }
}
