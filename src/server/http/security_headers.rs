//! Headers every response carries so that a browser confines the site: no page of it may be framed by another
//! site (clickjacking of the admin ledger), nothing is sniffed into a script, links to other sites learn only the
//! origin, and an https site is never asked for over plain http again (HSTS).
//!
//! Pages get a full Content Security Policy: scripts only from the site's own files or inline with the nonce
//! Leptos draws for each response and puts on every inline script it writes (the hydration start and the
//! serialized data); no `unsafe-inline` for scripts, WebAssembly compiled only from the site's own module. The
//! shell sets it while it renders ([`set_page_policy`]); the landing page cache draws a fresh nonce for every
//! copy it serves (`platform/page_cache.rs`).
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const ALWAYS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
];
/// One year, subdomains included: every brand deployment is https end to end.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Where a checkout form may post besides the site itself: the payment provider's hosted page.
const CHECKOUT: &str = crate::server::payments::checkout::WAYFORPAY_PAY_URL;

/// The policy of a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self' {CHECKOUT}; frame-ancestors 'none'"
    )
}

/// The nonce a page policy names, if `policy` is one.
pub fn policy_nonce(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len])
}

/// Sends the page policy for the nonce of the response being rendered (the shell calls it).
pub fn set_page_policy() {
    let nonce = leptos::nonce::use_nonce();
    let response = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(response)) = (nonce, response) {
        if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
            response.insert_header(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// `https`: the site is served over https (`SITE_URL`), so HSTS is sent too.
pub async fn set(State(https): State<bool>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    for (name, value) in ALWAYS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(HSTS));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_policy_allows_scripts_by_nonce_and_from_the_site_only() {
        let policy = page_policy("AbC-12_x");
        assert_eq!(policy_nonce(&policy), Some("AbC-12_x"));
        let scripts = policy
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(
            scripts,
            "script-src 'self' 'nonce-AbC-12_x' 'wasm-unsafe-eval'"
        );
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"));
        assert_eq!(policy_nonce("frame-ancestors 'none'"), None);
    }
}
