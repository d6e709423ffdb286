//! PostgreSQL over TLS: `DATABASE_URL` with `sslmode=verify-full` and `sslrootcert` reaches a server whose
//! certificate the named authority signed, encrypted; another authority stops start-up with a message that names
//! the database endpoint and the reason.
use crate::common;
use common::tls::TestCa;
use common::tls_pg::TlsCluster;
use refcodes::server::platform::config::Config;
use refcodes::server::platform::startup;

fn config(database_url: &str) -> Config {
    let vars = [
        ("APP_ENV", "development"),
        ("DATABASE_URL", database_url),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
    ];
    Config::from_source(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .expect("test config")
}

fn verify_full(cluster: &TlsCluster, ca: &TestCa) -> String {
    cluster.url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        ca.pem_file.display()
    ))
}

#[tokio::test]
async fn verify_full_connects_encrypted_and_a_foreign_authority_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "refcodes-test-ca");
    let cluster = TlsCluster::start(&ca);

    let state = startup::prepare(config(&verify_full(&cluster, &ca)))
        .await
        .expect("start-up over verify-full");
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(&state.pool)
            .await
            .unwrap();
    assert!(encrypted, "the app's connections are TLS");
    state.pool.close().await;

    let stranger = TestCa::new(dir.path(), "another-ca");
    let err = match startup::prepare(config(&verify_full(&cluster, &stranger))).await {
        Ok(_) => panic!("a certificate from another authority was accepted"),
        Err(e) => e.to_string(),
    };
    let endpoint = format!("localhost:{}", cluster.port);
    assert!(err.contains(&endpoint), "names the endpoint: {err}");
    assert!(
        err.to_lowercase().contains("certificate"),
        "says why: {err}"
    );
}
