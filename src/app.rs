//! The application shell: i18n, router, auth context, navigation.
use crate::api::auth::SignOut;
use crate::domain::locale::LOCALES;
use crate::i18n::*;
use crate::pages::guard::NotFound;
use crate::pages::invite::{count_captured_visit, InviteNotice};
use crate::pages::lazy::{
    AdminRefcodesRoute, LandingRoute, MembershipRoute, OrderRoute, RefcodesRoute, SignInRoute,
    SignUpRoute, StoreRoute, TestPaymentRoute,
};
use crate::routes::{
    self, use_locale_code, ADMIN, HOME, MEMBERSHIP, ORDERS, REFCODES, SIGN_IN, SIGN_UP, STORE,
};
use crate::session::{provide_auth, use_auth, use_frame};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_params_map};
use leptos_router::{Lazy, ParamSegment, SsrMode, StaticSegment};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::http::security_headers::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider enable_cookie=false>
            <Router>
                <AppRoutes />
            </Router>
        </I18nContextProvider>
    }
}

/// Every page renders with `SsrMode::Async`: the HTML is complete (navigation, user, brand) before it is
/// sent, so pages work without JavaScript; streamed fragments would need JS to be swapped in.
#[component]
fn AppRoutes() -> impl IntoView {
    provide_auth();
    count_captured_visit();
    view! {
        <Routes fallback=NotFound>
            <ParentRoute path=ParamSegment("locale") view=LocaleLayout>
                <Route path=StaticSegment(HOME) view={Lazy::<LandingRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment(SIGN_IN) view={Lazy::<SignInRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment(SIGN_UP) view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment(STORE) view={Lazy::<StoreRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment(MEMBERSHIP) view={Lazy::<MembershipRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment(REFCODES) view={Lazy::<RefcodesRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment(ORDERS), ParamSegment("reference")) view={Lazy::<OrderRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment("pay"), StaticSegment("test"), ParamSegment("reference")) view={Lazy::<TestPaymentRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment(ADMIN), StaticSegment(REFCODES)) view={Lazy::<AdminRefcodesRoute>::new()} ssr=SsrMode::Async />
            </ParentRoute>
        </Routes>
    }
}

/// Everything under `/{locale}/`: the locale of the path is the locale of the page.
#[component]
fn LocaleLayout() -> impl IntoView {
    let params = use_params_map();
    let locale = Memo::new(move |_| {
        params
            .read()
            .get("locale")
            .and_then(|tag| parse_locale(&tag))
    });
    let i18n = use_i18n();
    if let Some(l) = locale.get_untracked() {
        i18n.set_locale(l);
    }
    Effect::new(move |_| {
        if let Some(l) = locale.get() {
            i18n.set_locale(l);
        }
    });
    let known = Memo::new(move |_| locale.get().is_some());
    let brand = use_frame().brand_name;
    move || {
        if known.get() {
            let brand = brand.clone();
            view! {
                <Title formatter=move |page: String| format!("{page} · {brand}") />
                <TopBar />
                <main class="page">
                    <InviteNotice />
                    <Outlet />
                </main>
            }
            .into_any()
        } else {
            view! { <NotFound /> }.into_any()
        }
    }
}

pub fn parse_locale(tag: &str) -> Option<Locale> {
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str() == tag)
}

#[component]
fn TopBar() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let brand = use_frame().brand_name;
    let locale = use_locale_code();
    let to = move |route: &'static str| move || routes::href(locale(), route);
    // A plain form (it posts natively without JavaScript) dispatched by hand: an ActionForm would decode its
    // fields with serde_qs, which the main wasm then carries for this one button.
    let sign_out = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        auth.sign_out.dispatch(SignOut {
            locale: locale().to_owned(),
        });
    };
    view! {
        <header class="topbar">
            <nav class="nav" aria-label="main">
                <A href=to(HOME) exact=true attr:class="brand">
                    {brand}
                </A>
                <A href=to(STORE)>{t!(i18n, common.nav.store)}</A>
                <A href=to(MEMBERSHIP)>{t!(i18n, common.nav.membership)}</A>
                <A href=to(REFCODES)>{t!(i18n, common.nav.refcodes)}</A>
                {move || match auth.user.get() {
                    Ok(Some(me)) => {
                        let admin = me.is_admin().then(|| view! { <A href=to(routes::ADMIN_REFCODES)>{t!(i18n, common.nav.admin)}</A> });
                        let email = me.email.clone();
                        view! {
                            {admin}
                            <span class="who" data-testid="signed-in-as">{t!(i18n, common.nav.signed_in_as, email = move || email.clone())}</span>
                            <form method="post" action=SignOut::url() class="inline" on:submit=sign_out>
                                <input type="hidden" name="locale" value=locale />
                                <button type="submit" class="link">{t!(i18n, common.nav.sign_out)}</button>
                            </form>
                        }
                            .into_any()
                    }
                    _ => view! {
                        <A href=to(SIGN_IN)>{t!(i18n, common.nav.sign_in)}</A>
                        <A href=to(SIGN_UP) attr:class="button">{t!(i18n, common.nav.sign_up)}</A>
                    }
                        .into_any(),
                }}
            </nav>
            <LocaleSwitcher />
        </header>
    }
}

/// Links to the same page in every language.
#[component]
fn LocaleSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let query = if search.is_empty() || search.starts_with('?') {
            search
        } else {
            format!("?{search}")
        };
        format!("{}{}", location.pathname.get(), query)
    };
    view! {
        <nav class="locales" aria-label=move || t_string!(i18n, common.nav.language)>
            {LOCALES
                .iter()
                .map(|&code| {
                    view! {
                        <a
                            href=move || crate::domain::locale::switch_path(&here(), code)
                            hreflang=code
                            lang=code
                            aria-current=move || (i18n.get_locale().as_str() == code).then_some("true")
                        >
                            {endonym(code)}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// A language's own name for itself: never translated.
fn endonym(code: &str) -> &'static str {
    match code {
        "uk" => "Українська",
        "ru" => "Русский",
        _ => "English",
    }
}
