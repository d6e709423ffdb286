//! `/` and `/{locale}` lead to `/{locale}/`, the language picked from `Accept-Language`.
use crate::domain::locale::{from_accept_language, is_supported};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn root(req: Request) -> Response {
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut response = Redirect::to(&with_query(&format!("/{}/", from_accept_language(accept)), &req)).into_response();
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// `/uk?x` → `/uk/?x`; `None` for any path that is not a bare locale.
pub fn bare_locale_target(path: &str, query: Option<&str>) -> Option<String> {
    let locale = path.strip_prefix('/')?;
    is_supported(locale).then(|| match query {
        Some(q) => format!("/{locale}/?{q}"),
        None => format!("/{locale}/"),
    })
}

fn with_query(path: &str, req: &Request) -> String {
    match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_locales_redirect() {
        assert_eq!(bare_locale_target("/uk", Some("ref=AB12")).as_deref(), Some("/uk/?ref=AB12"));
        assert_eq!(bare_locale_target("/ru", None).as_deref(), Some("/ru/"));
        assert_eq!(bare_locale_target("/favicon.ico", None), None);
        assert_eq!(bare_locale_target("/en/", None), None);
    }
}
