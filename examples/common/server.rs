//! The real server, in process on a free loopback port, over the benchmark's own database.
// Each benchmark includes this file and uses a part of it.
#![allow(dead_code)]
use refcodes::server::platform::config::Config;
use refcodes::server::platform::state::AppState;
use refcodes::server::{
    accounts::auth, accounts::wallets, platform::bench_database, platform::startup,
    referral::codes as registry,
};
use refcodes_chain::alloy::primitives::hex;
use refcodes_chain::alloy::signers::local::PrivateKeySigner;
use refcodes_chain::alloy::signers::Signer;
use std::collections::HashMap;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Bench {
    pub base: String,
    pub state: AppState,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Bench {
    /// Over the benchmark's own database, kept from run to run (see [`Bench::start_with`]).
    pub async fn start(bench: &str) -> Result<Bench, Box<dyn std::error::Error>> {
        Bench::start_with(bench, false, &[], |_| async { Ok(()) }).await
    }

    /// Over `refcodes_bench_<bench>` on the server of `DATABASE_URL` (see [`Bench::start_on`]).
    pub async fn start_with<F, Fut>(
        bench: &str,
        fresh: bool,
        extra: &[(&'static str, String)],
        seed: F,
    ) -> Result<Bench, Box<dyn std::error::Error>>
    where
        F: FnOnce(sqlx::PgPool) -> Fut,
        Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
    {
        let database_url = std::env::var("DATABASE_URL").ok();
        Bench::start_on(database_url.as_deref(), bench, fresh, extra, seed).await
    }

    /// Over `refcodes_bench_<bench>` on the server of `database_url` (the local one when `None`), created when
    /// missing and created again when `fresh`, never another database ([`bench_database`]); with `extra`
    /// configuration; `seed` runs on the migrated database before the server listens.
    pub async fn start_on<F, Fut>(
        database_url: Option<&str>,
        bench: &str,
        fresh: bool,
        extra: &[(&'static str, String)],
        seed: F,
    ) -> Result<Bench, Box<dyn std::error::Error>>
    where
        F: FnOnce(sqlx::PgPool) -> Fut,
        Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
    {
        let database = bench_database::prepare(database_url, bench, fresh).await?;
        println!("database {}", database.name);
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        let mut vars = HashMap::from([
            ("DATABASE_URL", database.url),
            ("LEPTOS_SITE_ADDR", addr.clone()),
            ("SITE_URL", format!("http://{addr}")),
            // Test payments and the other development defaults (`src/server/platform/production.rs`).
            ("APP_ENV", "development".to_string()),
            ("DB_MAX_CONNECTIONS", "8".to_string()),
        ]);
        vars.extend(extra.iter().cloned());
        let config = Config::from_source(|k| vars.get(k).cloned())?;
        let state = startup::prepare(config).await?;
        seed(state.pool.clone()).await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(startup::serve(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Ok(Bench {
            base: format!("http://{addr}"),
            state,
            stop,
            task,
        })
    }

    /// A fresh member with a fresh generated code paying to a wallet of their own, proven by signature:
    /// `(user id, code)`.
    pub async fn member_with_code(&self) -> Result<(String, String), Box<dyn std::error::Error>> {
        let s = &self.state;
        let email = format!("bench-{}@refcodes.local", auth::new_id());
        let owner = auth::create_account(&s.pool, &email, "bench-password", None).await?;
        let me = refcodes::server::db::users::me(&s.pool, &owner)
            .await?
            .ok_or("the new account is gone")?;
        let key = PrivateKeySigner::random();
        let wallet = key.address().to_checksum(None);
        let issued = wallets::challenge(&s.pool, &s.config, &me, &wallet).await?;
        let signature = key.sign_message(issued.message.as_bytes()).await?;
        let signature = hex::encode_prefixed(signature.as_bytes());
        wallets::prove(&s.pool, &s.config, &me, &issued.message, &signature).await?;
        let input = registry::NewCode {
            code: None,
            wallet: &wallet,
            label: Some("benchmark"),
        };
        let code = registry::create(&s.pool, &s.config, &s.visits.known, &owner, input)
            .await?
            .code;
        Ok((owner, code))
    }

    /// Graceful stop: in-flight requests finish, pending visits are written.
    pub async fn stop(self) -> Result<(), Box<dyn std::error::Error>> {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}
