//! The page's `<title>` in the page's language.
use leptos::prelude::*;
use leptos_meta::Title;

/// The server hands leptos_meta the finished text: leptos_meta reads the title after the render, outside the
/// render's reactive arena, where reading a signal (the locale) panicked under load now and then. The browser
/// follows the locale as it changes.
#[component]
pub fn PageTitle<F>(text: F) -> impl IntoView
where
    F: Fn() -> String + Send + Sync + 'static,
{
    #[cfg(feature = "ssr")]
    let text = text();
    view! { <Title text /> }
}
