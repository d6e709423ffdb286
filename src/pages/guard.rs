//! Pages for members and admins: anonymous visitors go to sign-in and come back; members get a 403 on admin pages.
use super::errors::ErrorText;
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes::use_locale_code;
use crate::routes::{self, HOME};
use crate::session::use_auth;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_location;

#[component]
pub fn RequireUser(#[prop(optional)] admin: bool, children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let locale = use_locale_code();
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || {
                if !auth.settled() {
                    return view! { <p class="muted">{t!(i18n, common.loading)}</p> }.into_any();
                }
                match auth.user.get() {
                    Ok(Some(me)) if !admin || me.is_admin() => children().into_any(),
                    Ok(Some(_)) => view! { <Forbidden /> }.into_any(),
                    Ok(None) => {
                        let search = location.search.get_untracked();
                        let query = if search.is_empty() || search.starts_with('?') { search } else { format!("?{search}") };
                        let next = format!("{}{}", location.pathname.get_untracked(), query);
                        view! { <Redirect path=routes::sign_in_then(locale(), &next) /> }.into_any()
                    }
                    Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                }
            }}
        </Suspense>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(403);
    let i18n = use_i18n();
    let locale = use_locale_code();
    view! {
        <PageTitle text=move || t_string!(i18n, common.forbidden.title).to_string() />
        <section class="notice" data-testid="forbidden">
            <h1>{t!(i18n, common.forbidden.title)}</h1>
            <p>{t!(i18n, common.forbidden.body)}</p>
            <A href=move || routes::href(locale(), HOME)>{t!(i18n, common.forbidden.back)}</A>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    let i18n = use_i18n();
    let locale = use_locale_code();
    view! {
        <PageTitle text=move || t_string!(i18n, common.not_found.title).to_string() />
        <section class="notice" data-testid="not-found">
            <h1>{t!(i18n, common.not_found.title)}</h1>
            <p>{t!(i18n, common.not_found.body)}</p>
            <a href=move || routes::href(locale(), HOME)>{t!(i18n, common.not_found.back)}</a>
        </section>
    }
}

fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
