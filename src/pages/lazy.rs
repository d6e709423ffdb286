//! The pages behind the landing and sign-in pages are lazy routes: their views are split out of the main wasm
//! (`cargo leptos build --split`) and loaded when a visitor first opens one (preloaded by the server's manifest
//! during hydration of a page that needs it).
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

lazy_page!(StoreRoute, super::store::StorePage);
lazy_page!(MembershipRoute, super::membership::MembershipPage);
lazy_page!(RefcodesRoute, super::refcodes::RefcodesPage);
lazy_page!(OrderRoute, super::order::OrderPage);
lazy_page!(TestPaymentRoute, super::test_payment::TestPaymentPage);
lazy_page!(AdminRefcodesRoute, super::admin_refcodes::AdminRefcodesPage);
