//! The database a benchmark runs over, and the rule that keeps benchmarks off every other database.
//!
//! Benchmark `b` runs over its own database, `refcodes_bench_b` ([`name_for`]). `DATABASE_URL` only chooses the
//! server: its host, port, user, password and parameters are kept and its database is replaced ([`locate`]). The
//! database `DATABASE_URL` names is never a benchmark's, so no benchmark creates, fills or drops it. A benchmark
//! creates its database with the comment [`MARK`] and drops it (a fresh start) only while it carries that mark; a
//! database of that name without the mark is refused ([`BenchDatabaseError::NotOurs`]).
use crate::server::db;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::fmt;
use std::str::FromStr;
use url::Url;

/// The comment on every database a benchmark created: the only databases a benchmark drops.
pub const MARK: &str = "refcodes benchmark database, safe to drop";
/// The server when `DATABASE_URL` is not set.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX: &str = "refcodes_bench_";
/// Benchmark databases are created and dropped over a connection to this database of the same server.
const MAINTENANCE: &str = "postgres";

#[derive(thiserror::Error)]
pub enum BenchDatabaseError {
    #[error(
        "{0:?} cannot name a benchmark database: use 1 to 40 lowercase letters, digits or '_'"
    )]
    BadName(String),
    #[error("DATABASE_URL is not a PostgreSQL URL (postgres://user@host:port/database)")]
    BadUrl,
    #[error(
        "DATABASE_URL names {0}, this benchmark's own database, but DATABASE_URL only chooses the server: \
         point it at another database there (e.g. …/postgres); the benchmark uses {0} by itself"
    )]
    NamedInDatabaseUrl(String),
    #[error(
        "database {0} exists but no benchmark created it (it lacks the comment \"{MARK}\"), so it is left alone: \
         if it may go, drop it yourself (DROP DATABASE {0}) and run again; else choose another server with DATABASE_URL"
    )]
    NotOurs(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The message: a benchmark's `main` returns this error, and Rust prints what `main` returns with `Debug`.
impl fmt::Debug for BenchDatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A benchmark's database: its name, its URL, and the URL it is created and dropped through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub name: String,
    pub url: String,
    admin_url: String,
}

/// What a start does with the benchmark's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Keep,
    Recreate,
    Refuse,
}

/// `refcodes_bench_<bench>`.
pub fn name_for(bench: &str) -> Result<String, BenchDatabaseError> {
    let plain = bench
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if bench.is_empty() || bench.len() > 40 || !plain {
        return Err(BenchDatabaseError::BadName(bench.to_string()));
    }
    Ok(format!("{PREFIX}{bench}"))
}

/// `url` with its database replaced by `name` (a `dbname` parameter is left out); everything else is kept.
pub fn with_database(url: &str, name: &str) -> Result<String, BenchDatabaseError> {
    let mut url = Url::parse(url).map_err(|_| BenchDatabaseError::BadUrl)?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(BenchDatabaseError::BadUrl);
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != "dbname")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    url.set_path(&format!("/{name}"));
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    Ok(url.into())
}

/// The database `url` connects to, as PostgreSQL and sqlx read it (path, `dbname`, `PGDATABASE`, else the user).
pub fn database_of(url: &str) -> Result<String, BenchDatabaseError> {
    let options = PgConnectOptions::from_str(url).map_err(|_| BenchDatabaseError::BadUrl)?;
    Ok(options
        .get_database()
        .unwrap_or(options.get_username())
        .to_string())
}

/// Where benchmark `bench`'s database is, on the server of `database_url` ([`DEFAULT_SERVER`] when `None`).
pub fn locate(database_url: Option<&str>, bench: &str) -> Result<Place, BenchDatabaseError> {
    let server = database_url.unwrap_or(DEFAULT_SERVER);
    let name = name_for(bench)?;
    if database_of(server)? == name {
        return Err(BenchDatabaseError::NamedInDatabaseUrl(name));
    }
    Ok(Place {
        url: with_database(server, &name)?,
        admin_url: with_database(server, MAINTENANCE)?,
        name,
    })
}

/// The action for a database with `comment` (`None`: there is no such database) on a start, `fresh` or not.
pub fn action(comment: Option<Option<&str>>, fresh: bool) -> Action {
    match comment {
        None => Action::Create,
        Some(comment) if comment != Some(MARK) => Action::Refuse,
        Some(_) if fresh => Action::Recreate,
        Some(_) => Action::Keep,
    }
}

/// Makes benchmark `bench`'s database ready (see [`action`]) and returns where it is.
pub async fn prepare(
    database_url: Option<&str>,
    bench: &str,
    fresh: bool,
) -> Result<Place, BenchDatabaseError> {
    let place = locate(database_url, bench)?;
    let mut admin = PgConnection::connect(&place.admin_url).await?;
    let comment = db::databases::comment_of(&mut admin, &place.name).await?;
    match action(comment.as_ref().map(Option::as_deref), fresh) {
        Action::Refuse => return Err(BenchDatabaseError::NotOurs(place.name)),
        Action::Keep => {}
        Action::Recreate => {
            db::databases::drop_database(&mut admin, &place.name).await?;
            db::databases::create_with_comment(&mut admin, &place.name, MARK).await?;
        }
        Action::Create => db::databases::create_with_comment(&mut admin, &place.name, MARK).await?,
    }
    admin.close().await?;
    Ok(place)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_benchmark_names_its_own_database() {
        assert_eq!(name_for("mint").unwrap(), "refcodes_bench_mint");
        for bad in ["", "Mint", "mint-bench", "a\"b", &"x".repeat(41)] {
            assert!(
                matches!(name_for(bad), Err(BenchDatabaseError::BadName(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn database_url_chooses_only_the_server() {
        let place = locate(
            Some("postgres://app:s%40cret@db.example:6543/production?sslmode=require&dbname=production"),
            "mint",
        )
        .unwrap();
        assert_eq!(place.name, "refcodes_bench_mint");
        assert_eq!(
            place.url,
            "postgres://app:s%40cret@db.example:6543/refcodes_bench_mint?sslmode=require"
        );
        assert_eq!(
            place.admin_url,
            "postgres://app:s%40cret@db.example:6543/postgres?sslmode=require"
        );
        assert_eq!(database_of(&place.url).unwrap(), "refcodes_bench_mint");
        let default = locate(None, "track").unwrap();
        assert_eq!(
            default.url,
            "postgres://postgres@127.0.0.1:5432/refcodes_bench_track"
        );
    }

    #[test]
    fn the_database_of_database_url_is_never_the_benchmarks() {
        for url in [
            "postgres://u@h/refcodes_bench_admin",
            "postgres://u@h/other?dbname=refcodes_bench_admin",
        ] {
            assert!(
                matches!(
                    locate(Some(url), "admin"),
                    Err(BenchDatabaseError::NamedInDatabaseUrl(n)) if n == "refcodes_bench_admin"
                ),
                "{url}"
            );
        }
        assert!(matches!(
            locate(Some("mysql://u@h/db"), "admin"),
            Err(BenchDatabaseError::BadUrl)
        ));
    }

    #[test]
    fn only_a_marked_database_is_dropped() {
        assert_eq!(action(None, true), Action::Create);
        assert_eq!(action(Some(Some(MARK)), true), Action::Recreate);
        assert_eq!(action(Some(Some(MARK)), false), Action::Keep);
        for foreign in [None, Some("production data"), Some("")] {
            assert_eq!(action(Some(foreign), true), Action::Refuse);
            assert_eq!(action(Some(foreign), false), Action::Refuse);
        }
    }
}
