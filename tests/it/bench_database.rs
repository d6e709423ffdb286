//! Benchmarks touch no database but their own (`src/server/platform/bench_database.rs`), on a real PostgreSQL and through
//! the benchmarks' own start (`examples/common/server.rs`): a start leaves the database `DATABASE_URL` names as it
//! was, drops and creates again only the database it marked, and refuses a database with its name it did not mark.
#[path = "../../examples/common/server.rs"]
mod bench_server;
use crate::common;

use bench_server::Bench;
use common::pg::*;
use refcodes::server::platform::bench_database::{self, BenchDatabaseError, MARK};
use sqlx::{Connection, PgConnection};

type Error = Box<dyn std::error::Error>;

async fn sql(url: &str, statements: &str) {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(statements).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

async fn tables(url: &str) -> Vec<String> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let names = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    names
}

async fn notes(url: &str) -> Vec<String> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let notes = sqlx::query_scalar("SELECT note FROM precious ORDER BY note")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    notes
}

/// The comment on database `name`, `None` without one.
async fn comment(name: &str) -> Option<String> {
    let mut conn = PgConnection::connect(&url_of("postgres")).await.unwrap();
    let comment = sqlx::query_scalar(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
    )
    .bind(name)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    comment
}

/// A database with a table of data nobody may lose.
async fn precious(name: &str) -> ScratchDatabase {
    let db = ScratchDatabase::create(name);
    sql(
        &db.url,
        "CREATE TABLE precious (note text); INSERT INTO precious VALUES ('keep me')",
    )
    .await;
    db
}

/// A benchmark start over `database_url`, stopped at once; the benchmark's database's name.
async fn start_and_stop(database_url: &str, bench: &str, fresh: bool) -> Result<String, Error> {
    let noop = |_| async { Ok(()) };
    let bench = Bench::start_on(Some(database_url), bench, fresh, &[], noop).await?;
    let pool = bench.state.pool.clone();
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await?;
    bench.stop().await?;
    pool.close().await;
    Ok(database)
}

fn refusal(e: Error) -> BenchDatabaseError {
    *e.downcast::<BenchDatabaseError>()
        .expect("refused by the benchmark database rule")
}

#[tokio::test]
async fn a_benchmark_start_leaves_the_database_of_database_url_untouched() {
    let production = precious(&unique_name("refcodes_test_production")).await;
    let bench = unique_name("t");
    let name = bench_database::name_for(&bench).unwrap();
    let own = ScratchDatabase::adopt(&name);

    // Created, marked and migrated; DATABASE_URL's database only told the server.
    assert_eq!(
        start_and_stop(&production.url, &bench, true).await.unwrap(),
        name
    );
    assert_eq!(comment(&name).await.as_deref(), Some(MARK));
    assert!(tables(&own.url)
        .await
        .contains(&"referral_rewards".to_string()));
    assert_eq!(tables(&production.url).await, ["precious"]);
    assert_eq!(notes(&production.url).await, ["keep me"]);
    assert_eq!(comment(&production.name).await, None);

    // Kept by a start that is not fresh; dropped and created again by a fresh one.
    sql(&own.url, "CREATE TABLE leftover (n int)").await;
    start_and_stop(&production.url, &bench, false)
        .await
        .unwrap();
    assert!(tables(&own.url).await.contains(&"leftover".to_string()));
    start_and_stop(&production.url, &bench, true).await.unwrap();
    assert!(!tables(&own.url).await.contains(&"leftover".to_string()));
    assert_eq!(comment(&name).await.as_deref(), Some(MARK));

    // DATABASE_URL naming the benchmark's database itself is refused, and the database stays.
    sql(&own.url, "CREATE TABLE leftover (n int)").await;
    let e = refusal(start_and_stop(&own.url, &bench, true).await.unwrap_err());
    assert!(
        matches!(&e, BenchDatabaseError::NamedInDatabaseUrl(n) if *n == name),
        "{e}"
    );
    assert!(tables(&own.url).await.contains(&"leftover".to_string()));
    assert_eq!(notes(&production.url).await, ["keep me"]);
}

#[tokio::test]
async fn a_database_with_the_benchmarks_name_it_did_not_mark_is_refused() {
    let bench = unique_name("t");
    let name = bench_database::name_for(&bench).unwrap();
    let foreign = precious(&name).await;
    for fresh in [true, false] {
        let e = refusal(
            start_and_stop(&url_of("postgres"), &bench, fresh)
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(&e, BenchDatabaseError::NotOurs(n) if *n == name),
            "{e}"
        );
        let message = e.to_string();
        for part in [name.as_str(), MARK, "DROP DATABASE"] {
            assert!(message.contains(part), "{message}");
        }
        assert_eq!(tables(&foreign.url).await, ["precious"]);
        assert_eq!(notes(&foreign.url).await, ["keep me"]);
    }
}
