//! `/` leads to `/{locale}/`, the language picked from `Accept-Language`.
use crate::domain::locale::from_accept_language;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn root(req: Request) -> Response {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut response = Redirect::to(&with_query(
        &format!("/{}/", from_accept_language(accept)),
        &req,
    ))
    .into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

fn with_query(path: &str, req: &Request) -> String {
    match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    }
}
