//! Cross-site requests that would change something are refused, before any handler runs: a page on another
//! site — a sibling subdomain included — cannot post a form or a fetch as the signed-in member or admin (granting
//! credit, bulk-approving rewards), nor sign a visitor into the attacker's account (login CSRF).
//!
//! For every unsafe method the browser's own word decides, strongest first: `Sec-Fetch-Site` (`same-origin` or
//! `none` — typed by the user — pass), else `Origin` (its host must be the request's `Host` or `SITE_URL`'s),
//! else `Referer` (the same). A request with none of them is not from a browser, so it carries no victim's
//! cookies and passes. The payment provider's notification is exempt: its signature authenticates it.
use crate::error::AppError;
use crate::server::config::Config;
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
    let ours = |url: &str| {
        let host = authority(url);
        host.is_some() && (host == text(header::HOST.as_str()) || host == authority(site_url))
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

/// `host[:port]` of an absolute http(s) URL; `None` for anything else (`Origin: null` included).
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|a| !a.is_empty() && !a.contains('@'))
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
        assert!(allowed(
            Method::POST,
            &[host, ("origin", "http://127.0.0.1:3000")]
        ));
        assert!(allowed(Method::DELETE, &[host, ("origin", SITE)]));
        for origin in [
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
