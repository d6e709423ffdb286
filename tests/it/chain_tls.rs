//! The chain over https: minting and the price feed go through a TLS endpoint whose certificate only the
//! operator's extra certificate authority (`EXTRA_CA_CERTS`) vouches for; without that authority the endpoint is
//! refused, and the error names it and says why; at start-up a refused certificate stops the server (a setting to
//! fix), an endpoint that is merely down does not (the minter connects at its first run).
use crate::common;
use common::chain::*;
use common::tls::{TestCa, TlsProxy};
use common::WALLET_A;
use refcodes::server::platform::config::Config;
use refcodes::server::platform::startup;
use refcodes::server::rewards::oracle::PriceOracle;
use refcodes_chain::alloy::primitives::I256;
use refcodes_chain::price_feed::deploy_test_price_feed;
use refcodes_chain::{signer_from_hex, ChainClient, Transport};
use sqlx::PgPool;

#[sqlx::test]
async fn the_minter_mints_through_https_signed_by_an_extra_authority(pool: PgPool) {
    let chain = Chain::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "rpc-ca");
    let proxy = TlsProxy::start(&ca, chain.port()).await;
    let (url, ca_file) = (proxy.url(), ca.pem_file.display().to_string());
    let extra = [
        ("CHAIN_RPC_URL", url.as_str()),
        ("EXTRA_CA_CERTS", ca_file.as_str()),
    ];
    let server = server(&pool, &chain, &extra).await;
    let refs = approved(&pool, "TLS", 2, WALLET_A, ONE).await;
    let (status, body) = cron(&server).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["minted"], 2, "{body}");
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[tokio::test]
async fn the_price_feed_is_read_through_https() {
    let chain = Chain::start().await;
    let address =
        deploy_test_price_feed(&chain.admin, 8, I256::try_from(4_150_000_000i64).unwrap())
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "feed-ca");
    let proxy = TlsProxy::start(&ca, chain.port()).await;
    let vars = [
        ("DATABASE_URL", "postgres://x@h/db".to_string()),
        ("CHAIN_RPC_URL", proxy.url()),
        ("ORACLE_FEED_ADDRESS", address.to_string()),
        ("EXTRA_CA_CERTS", ca.pem_file.display().to_string()),
    ];
    let config =
        Config::from_source(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    let transport = Transport::new(config.extra_ca_pem.as_deref()).unwrap();
    let quote = PriceOracle::from_config(&config, &transport)
        .unwrap()
        .quote("UAH")
        .await
        .expect("a quote through https");
    assert_eq!(
        (quote.answer.to::<u64>(), quote.decimals),
        (4_150_000_000, 8)
    );
}

#[tokio::test]
async fn an_unknown_authority_is_refused_with_the_endpoint_and_the_reason() {
    let chain = Chain::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "private-ca");
    let proxy = TlsProxy::start(&ca, chain.port()).await;
    let signer = || signer_from_hex(MINTER_KEY).unwrap();

    let err = ChainClient::connect(&proxy.url(), signer())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&proxy.url()), "names the endpoint: {err}");
    assert!(
        err.to_lowercase().contains("certificate"),
        "says why: {err}"
    );

    let stranger = TestCa::new(dir.path(), "another-ca");
    let pem = std::fs::read(&stranger.pem_file).unwrap();
    let err =
        ChainClient::connect_via(&Transport::new(Some(&pem)).unwrap(), &proxy.url(), signer())
            .await
            .unwrap_err()
            .to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    let pem = std::fs::read(&ca.pem_file).unwrap();
    let client =
        ChainClient::connect_via(&Transport::new(Some(&pem)).unwrap(), &proxy.url(), signer())
            .await
            .expect("the right authority");
    assert_eq!(client.chain_id(), 31337);
}

#[sqlx::test]
async fn a_refused_certificate_stops_start_up_and_a_chain_that_is_down_does_not(pool: PgPool) {
    let chain = Chain::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "rpc-ca");
    let proxy = TlsProxy::start(&ca, chain.port()).await;
    let stranger = TestCa::new(dir.path(), "another-ca");
    let config = chain
        .config(&[
            (
                "CHAIN_RPC_URL",
                format!("{}/v3/secret-api-key", proxy.url()),
            ),
            ("EXTRA_CA_CERTS", stranger.pem_file.display().to_string()),
        ])
        .unwrap();
    let err = match startup::state_for(pool.clone(), config).await {
        Ok(_) => panic!("an endpoint signed by an unknown authority was accepted at start-up"),
        Err(e) => e.to_string(),
    };
    let endpoint = proxy.url().replace("https://", "");
    assert!(err.contains(&endpoint), "names the endpoint: {err}");
    assert!(err.contains("certificate"), "says why: {err}");
    assert!(!err.contains("secret-api-key"), "no path of the URL: {err}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = chain.config(&[("CHAIN_RPC_URL", down)]).unwrap();
    assert!(
        startup::state_for(pool, config).await.is_ok(),
        "a chain that does not answer is waited out"
    );
}
