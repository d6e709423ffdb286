//! The admin page (the seed's ADMIN_REFCODES route).
use super::guard::RequireUser;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminRefcodesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, refcodes.admin.title) />
        <RequireUser admin=true>
            <h1 data-testid="admin-title">{t!(i18n, refcodes.admin.title)}</h1>
            <p class="lead">{t!(i18n, refcodes.admin.lead)}</p>
        </RequireUser>
    }
}
