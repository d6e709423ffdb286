use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StorePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, common.store.title) />
        <h1>{t!(i18n, common.store.title)}</h1>
        <p class="lead">{t!(i18n, common.store.body)}</p>
    }
}
