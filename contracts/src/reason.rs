//! Chain failures in words safe to store and show: the kind of failure and what the node answered — a timeout, a
//! refused connection, an HTTP status, a JSON-RPC error code and message — never the endpoint. A hosted node's URL
//! often carries its API key, and a failure's own text (reqwest's "error sending request for url (…)") repeats it.
use alloy::transports::http::reqwest;
use alloy::transports::{RpcError, TransportError, TransportErrorKind};

/// What a transport failure was, without its URL.
pub fn transport(err: &TransportError) -> String {
    match err {
        RpcError::ErrorResp(payload) => {
            format!(
                "the node answered JSON-RPC error {}: {}",
                payload.code,
                redact_urls(&payload.message)
            )
        }
        RpcError::NullResp => "the node gave an empty answer".into(),
        RpcError::DeserError { .. } => "the node's answer could not be read".into(),
        RpcError::Transport(kind) => transport_kind(kind),
        other => redact_urls(&other.to_string()),
    }
}

fn transport_kind(kind: &TransportErrorKind) -> String {
    if let Some(http) = kind.as_http_error() {
        // The status only: a body (a rate limiter's HTML page, say) is neither bounded nor safe to keep.
        return match kind.retry_after() {
            Some(after) => format!(
                "the node answered HTTP status {} (retry after {} s)",
                http.status,
                after.as_secs()
            ),
            None => format!("the node answered HTTP status {}", http.status),
        };
    }
    match kind {
        TransportErrorKind::BackendGone => "the connection to the node closed".into(),
        TransportErrorKind::Custom(inner) => match inner.downcast_ref::<reqwest::Error>() {
            Some(e) => http_client(e),
            None => redact_urls(&inner.to_string()),
        },
        other => redact_urls(&other.to_string()),
    }
}

fn http_client(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "the node did not answer in time".into()
    } else if err.is_connect() {
        "the node could not be reached (connection refused, unreachable or TLS refused)".into()
    } else if let Some(status) = err.status() {
        format!("the node answered HTTP status {}", status.as_u16())
    } else if err.is_body() || err.is_decode() {
        "the node's answer could not be read".into()
    } else {
        "the request to the node failed".into()
    }
}

/// The longest reason kept: a node's own message is not trusted to be short.
pub const MAX_REASON_CHARS: usize = 300;

/// `reason` cut to [`MAX_REASON_CHARS`] characters (with an ellipsis when cut).
pub fn bounded(reason: String) -> String {
    match reason.char_indices().nth(MAX_REASON_CHARS) {
        Some((cut, _)) => format!("{}…", &reason[..cut]),
        None => reason,
    }
}

/// `text` with every URL (http, https, ws, wss) replaced by `<rpc endpoint>`: the last guard for texts that were
/// not classified.
pub fn redact_urls(text: &str) -> String {
    const SCHEMES: [&str; 4] = ["https://", "http://", "wss://", "ws://"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = SCHEMES
        .iter()
        .filter_map(|s| find_ignore_case(rest, s))
        .min()
    {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ',' | ';'))
            .unwrap_or(tail.len());
        out.push_str("<rpc endpoint>");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_wherever_they_stand() {
        let text =
            "error sending request for url (https://eth.example/v2/SECRET-KEY): connect error; \
                    retry HTTP://Other.example:8545/KEY2, then wss://ws.example/k3";
        let redacted = redact_urls(text);
        assert_eq!(
            redacted,
            "error sending request for url (<rpc endpoint>): connect error; retry <rpc endpoint>, then <rpc endpoint>"
        );
        assert_eq!(redact_urls("no address here"), "no address here");
        assert_eq!(redact_urls("ünïcödé https://x/y"), "ünïcödé <rpc endpoint>");
    }

    #[test]
    fn reasons_are_bounded_on_a_character_boundary() {
        let long = "ж".repeat(MAX_REASON_CHARS + 10);
        let cut = bounded(long);
        assert_eq!(cut.chars().count(), MAX_REASON_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(bounded("short".into()), "short");
    }
}
