//! Sign-up and sign-in forms. They post to server functions, so they work before hydration too.
use super::errors::ErrorText;
use crate::domain::auth::MIN_PASSWORD_LEN;
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes::use_locale_code;
use crate::routes::{self, SIGN_IN, SIGN_UP};
use crate::session::use_auth;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_auth().sign_in;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <PageTitle text=move || t_string!(i18n, common.auth.sign_in_title).to_string() />
        <section class="card narrow">
            <h1>{t!(i18n, common.auth.sign_in_title)}</h1>
            <ActionForm action=action attr:data-testid="sign-in-form">
                <Credentials autocomplete="current-password" />
                <ErrorText error />
                <Submit pending=action.pending()>{t!(i18n, common.auth.submit_sign_in)}</Submit>
            </ActionForm>
            <p>{t!(i18n, common.auth.no_account)} " " <SwitchLink route=SIGN_UP>{t!(i18n, common.nav.sign_up)}</SwitchLink></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_auth().sign_up;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <PageTitle text=move || t_string!(i18n, common.auth.sign_up_title).to_string() />
        <section class="card narrow">
            <h1>{t!(i18n, common.auth.sign_up_title)}</h1>
            <ActionForm action=action attr:data-testid="sign-up-form">
                <Credentials autocomplete="new-password" />
                <p class="hint">{t!(i18n, common.auth.password_hint, count = move || MIN_PASSWORD_LEN)}</p>
                <ErrorText error />
                <Submit pending=action.pending()>{t!(i18n, common.auth.submit_sign_up)}</Submit>
            </ActionForm>
            <p>{t!(i18n, common.auth.have_account)} " " <SwitchLink route=SIGN_IN>{t!(i18n, common.nav.sign_in)}</SwitchLink></p>
        </section>
    }
}

/// Email, password, and the hidden fields that bring the user back where they were.
#[component]
fn Credentials(autocomplete: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <input type="hidden" name="locale" value=locale />
        <input type="hidden" name="next" value=next />
        <label>
            <span>{t!(i18n, common.auth.email)}</span>
            <input type="email" name="email" required autocomplete="email" />
        </label>
        <label>
            <span>{t!(i18n, common.auth.password)}</span>
            <input type="password" name="password" required autocomplete=autocomplete />
        </label>
    }
}

#[component]
fn Submit(pending: Memo<bool>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button" disabled=move || pending.get()>
            {children()}
        </button>
        <Show when=move || pending.get()>
            <span class="muted">{t!(i18n, common.auth.working)}</span>
        </Show>
    }
}

/// A link to the other auth page that keeps `next`.
#[component]
fn SwitchLink(route: &'static str, children: Children) -> impl IntoView {
    let locale = use_locale_code();
    let query = use_query_map();
    let href = move || match query.read().get("next") {
        Some(next) => format!("{}?next={}", routes::href(locale(), route), next),
        None => routes::href(locale(), route),
    };
    view! { <A href=href>{children()}</A> }
}
