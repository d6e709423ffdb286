//! RPC failures are classified without the endpoint's URL (which for hosted nodes carries an API key): a refused
//! connection, an HTTP error status, a JSON-RPC error and a node that never answers, each behind a URL with a key.
use alloy::primitives::Address;
use refcodes_chain::{latest_price, read_only_provider, ChainClient, Transport};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "sk-live-0123456789abcdef";

/// How the test node answers.
#[derive(Clone, Copy)]
enum Answer {
    Status401,
    /// A rate limiter's answer: a status, a `Retry-After` and a page the reason must not keep.
    Status429,
    /// A JSON-RPC error, with the request's own id.
    RpcError,
    /// Never: the request is held open.
    Silence,
}

fn http(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The `id` of a JSON-RPC request body (a single call), as its JSON text.
fn request_id(request: &str) -> String {
    let body = request.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .map(|v| v["id"].to_string())
        .unwrap_or_else(|| "0".into())
}

/// A loopback HTTP node answering every request with `answer`; its URL carries an API key.
async fn node(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let response = match answer {
                    Answer::Status401 => http("401 Unauthorized", "unauthorized"),
                    Answer::Status429 => format!(
                        "HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\ncontent-type: text/html\r\ncontent-length: 48\r\nconnection: close\r\n\r\n<html>slow down, {KEY}</html>"
                    ),
                    Answer::RpcError => http(
                        "200 OK",
                        &format!(
                            r#"{{"jsonrpc":"2.0","id":{},"error":{{"code":-32005,"message":"daily request limit reached"}}}}"#,
                            request_id(&request)
                        ),
                    ),
                    Answer::Silence => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return;
                    }
                };
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/v2/{KEY}")
}

/// The classified reason of a failed price read at `url`, checked to hold neither the key nor the endpoint.
async fn reason_at(url: &str, transport: &Transport) -> String {
    let provider = read_only_provider(transport, url).unwrap();
    let err = latest_price(&provider, Address::repeat_byte(0x22), 3600, 0)
        .await
        .unwrap_err();
    let reason = err.reason();
    assert!(!reason.contains(KEY), "the key leaked: {reason}");
    assert!(
        !reason.contains("127.0.0.1"),
        "the endpoint leaked: {reason}"
    );
    reason
}

#[tokio::test]
async fn rpc_failures_are_classified_without_the_url() {
    let transport = Transport::new(None).unwrap();
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/v2/{KEY}")
    };
    let reason = reason_at(&refused, &transport).await;
    assert!(reason.contains("could not be reached"), "{reason}");
    // Connecting names the endpoint it read the chain id from in its context: the reason does not.
    let signer = alloy::signers::local::PrivateKeySigner::random();
    let connect = ChainClient::connect_via(&transport, &refused, signer)
        .await
        .unwrap_err();
    let reason = connect.reason();
    assert!(
        !reason.contains(KEY) && reason.contains("could not be reached"),
        "{reason}"
    );
    // The raw error of a failed request names the URL, key and all: what `reason` exists to keep out.
    let provider = read_only_provider(&transport, &refused).unwrap();
    let raw = latest_price(&provider, Address::repeat_byte(0x22), 3600, 0)
        .await
        .unwrap_err();
    assert!(raw.to_string().contains(KEY), "{raw}");

    let unauthorized = node(Answer::Status401).await;
    let reason = reason_at(&unauthorized, &transport).await;
    assert!(reason.contains("HTTP status 401"), "{reason}");

    let throttled = node(Answer::Status429).await;
    let reason = reason_at(&throttled, &transport).await;
    assert!(
        reason.contains("HTTP status 429 (retry after 7 s)"),
        "{reason}"
    );
    assert!(!reason.contains("slow down"), "no body: {reason}");

    let limited = node(Answer::RpcError).await;
    let reason = reason_at(&limited, &transport).await;
    assert!(
        reason.contains("JSON-RPC error -32005: daily request limit reached"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_node_that_never_answers_is_a_timeout_without_the_url() {
    let transport =
        Transport::with_timeouts(None, Duration::from_secs(1), Duration::from_secs(1)).unwrap();
    let silent = node(Answer::Silence).await;
    let reason = reason_at(&silent, &transport).await;
    assert!(reason.contains("did not answer in time"), "{reason}");
}
