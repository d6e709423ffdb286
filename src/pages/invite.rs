//! "Invited by CODE": shown to anonymous visitors who arrived through a share link. When this very page
//! request captured the code, the browser counts the visit once (`POST /api/refcodes/track`).
use crate::domain::refcode::Invite;
use crate::i18n::*;
use crate::session::{use_auth, use_frame};
use leptos::prelude::*;

/// Nothing at all for a visitor who came without a live code.
#[component]
pub fn InviteNotice() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let Invite { code, .. } = use_frame().invite?;
    Some(move || {
        matches!(auth.user.get(), Ok(None)).then(|| {
            let shown = code.clone();
            view! {
                <p class="notice invite" data-testid="ref-notice" data-code=code.clone()>
                    {t!(i18n, common.invite.invited_by, code = move || shown.clone())}
                </p>
            }
        })
    })
}

/// Once per page load, after hydration (effects run only in the browser): the visit this request captured.
pub fn count_captured_visit() {
    if let Some(Invite {
        code,
        just_captured: true,
    }) = use_frame().invite
    {
        Effect::new(move |_| count_visit(code.clone()));
    }
}

#[cfg(feature = "hydrate")]
fn count_visit(code: String) {
    leptos::task::spawn_local(async move {
        // The body by hand: a `serde_json::Value` would bring its serializer into the main wasm for this call.
        // The browser's fetch itself: an HTTP client crate would weigh more in the main wasm than this one call.
        let code = serde_json::to_string(&code).unwrap_or_default();
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&format!(r#"{{"code":{code}}}"#).into());
        if let Ok(headers) = web_sys::Headers::new() {
            let _ = headers.set("Content-Type", "application/json");
            init.set_headers(&headers);
        }
        let sent = window().fetch_with_str_and_init("/api/refcodes/track", &init);
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(sent).await {
            leptos::logging::warn!("visit not counted: {e:?}");
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn count_visit(_code: String) {}
