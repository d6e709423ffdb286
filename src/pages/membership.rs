use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MembershipPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, common.membership.title) />
        <h1>{t!(i18n, common.membership.title)}</h1>
        <p class="lead">{t!(i18n, common.membership.body)}</p>
    }
}
