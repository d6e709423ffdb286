//! Cross-site requests that would change something are refused, before any handler runs: a page on another
//! site — a sibling subdomain included — cannot post a form or a fetch as the signed-in member or admin (granting
//! credit, bulk-approving rewards), nor sign a visitor into the attacker's account (login CSRF).
//!
//! For every unsafe method the browser's own word decides, strongest first: `Sec-Fetch-Site` (`same-origin` or
//! `none` — typed by the user — pass), else `Origin` (`SITE_URL`'s scheme, with its host or the request's `Host`),
//! else `Referer` (the same). A request with none of them is not from a browser, so it carries no victim's
//! cookies and passes. The payment provider's notification is exempt: its signature authenticates it.
use crate::error::AppError;
use crate::server::platform::config::Config;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Posted by the payment provider's servers, authenticated by its signature.
const EXEMPT: &[&str] = &["/api/payments/wayforpay"];

pub async fn refuse(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    if EXEMPT.contains(&req.uri().path())
        || same_site_or_not_a_browser(req.method(), req.headers(), &config.site_url)
    {
        return next.run(req).await;
    }
    tracing::warn!(path = req.uri().path(), "cross-site request refused");
    metrics::counter!("refcodes_cross_site_refused_total").increment(1);
    AppError::CrossSite.into_response()
}

/// Whether the request may go on: a safe method, a same-origin browser request, or no browser at all.
pub fn same_site_or_not_a_browser(method: &Method, headers: &HeaderMap, site_url: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let ours = |url: &str| match (origin(url), origin(site_url)) {
        (Some((scheme, host)), Some((site_scheme, site_host))) => {
            scheme == site_scheme
                && (host == site_host || Some(host) == text(header::HOST.as_str()))
        }
        _ => false,
    };
    match (
        text(header::ORIGIN.as_str()),
        text(header::REFERER.as_str()),
    ) {
        (Some(origin), _) => ours(origin),
        (None, Some(referer)) => ours(referer),
        (None, None) => true,
    }
}

/// The scheme and `host[:port]` of an absolute http(s) URL; `None` for anything else (`Origin: null` included).
fn origin(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some((scheme, &rest[..end])).filter(|(_, a)| !a.is_empty() && !a.contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const SITE: &str = "https://refcodes.example";

    fn allowed(method: Method, headers: &[(&'static str, &str)]) -> bool {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        same_site_or_not_a_browser(&method, &map, SITE)
    }

    #[test]
    fn fetch_metadata_decides_first() {
        assert!(allowed(Method::POST, &[("sec-fetch-site", "same-origin")]));
        assert!(allowed(Method::POST, &[("sec-fetch-site", "none")]));
        for foreign in ["same-site", "cross-site", "anything"] {
            let with_our_origin = [("sec-fetch-site", foreign), ("origin", SITE)];
            assert!(!allowed(Method::POST, &with_our_origin), "{foreign}");
        }
    }

    #[test]
    fn the_origin_must_be_the_host_or_the_site() {
        let host = ("host", "127.0.0.1:3000");
        // SITE is https: the request's own host counts with that scheme, never over plain http.
        assert!(allowed(
            Method::POST,
            &[host, ("origin", "https://127.0.0.1:3000")]
        ));
        assert!(allowed(Method::DELETE, &[host, ("origin", SITE)]));
        for origin in [
            "http://127.0.0.1:3000",
            "http://refcodes.example",
            "ftp://refcodes.example",
            "https://staging.refcodes.example",
            "http://127.0.0.1:3001",
            "null",
            "https://refcodes.example.evil.test",
        ] {
            assert!(
                !allowed(Method::POST, &[host, ("origin", origin)]),
                "{origin}"
            );
        }
    }

    #[test]
    fn the_referer_stands_in_for_a_missing_origin() {
        let host = ("host", "refcodes.example");
        assert!(allowed(
            Method::PATCH,
            &[
                host,
                ("referer", "https://refcodes.example/en/refcodes?x=1")
            ]
        ));
        assert!(!allowed(
            Method::PATCH,
            &[host, ("referer", "https://evil.test/refcodes.example")]
        ));
    }

    #[test]
    fn safe_methods_and_non_browsers_pass() {
        assert!(allowed(Method::GET, &[("sec-fetch-site", "cross-site")]));
        assert!(allowed(Method::POST, &[("host", "refcodes.example")]));
    }
}
