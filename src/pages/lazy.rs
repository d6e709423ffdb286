//! Every page is a lazy route: its view is split out of the main wasm (`cargo leptos build --split`), which keeps
//! only the shell (navigation, router, i18n), and loaded when a visitor first opens the page (preloaded during
//! hydration of a page that needs it, from the split manifest).
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(LandingRoute, super::landing::LandingPage);
lazy_page!(SignInRoute, super::auth::SignInPage);
lazy_page!(SignUpRoute, super::auth::SignUpPage);
lazy_page!(StoreRoute, super::store::StorePage);
lazy_page!(MembershipRoute, super::membership::MembershipPage);
lazy_page!(RefcodesRoute, super::refcodes::RefcodesPage);
lazy_page!(OrderRoute, super::order::OrderPage);
lazy_page!(TestPaymentRoute, super::test_payment::TestPaymentPage);
lazy_page!(AdminRefcodesRoute, super::admin_refcodes::AdminRefcodesPage);
