//! PostgreSQL beyond a test's own database: the test server (`DATABASE_URL`), databases a test creates and drops,
//! and the client programs (`pg_dump`, `pg_restore`, `createdb`, `dropdb`).
use refcodes::server::platform::bench_database::with_database;
use std::path::PathBuf;
use std::process::Command;

/// The URL of database `name` on the test server (the one `#[sqlx::test]` makes its databases on).
pub fn url_of(name: &str) -> String {
    let server = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server");
    with_database(&server, name).expect("DATABASE_URL is a PostgreSQL URL")
}

/// `prefix_` and 32 hex digits: a database name no other test run uses.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        refcodes::server::accounts::auth::new_id().replace('-', "")
    )
}

/// A PostgreSQL client program from PATH, else from the newest `/usr/lib/postgresql/*/bin`; a test needing one
/// fails when it is missing.
pub fn pg_tool(name: &str) -> PathBuf {
    find_pg_tool(name).unwrap_or_else(|| {
        panic!(
            "{name} not found on PATH nor in /usr/lib/postgresql/*/bin: this test needs the PostgreSQL client \
             programs (Debian: apt-get install postgresql-client)"
        )
    })
}

fn find_pg_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .collect();
    versions.sort();
    std::env::split_paths(&path)
        .chain(versions.into_iter().rev().map(|(_, bin)| bin))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Runs a PostgreSQL client program; a failure fails the test with the program's own message.
pub fn run(tool: &str, args: &[&str]) {
    let out = Command::new(pg_tool(tool))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} did not run: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database of the test server that the test owns: dropped (connections or not) when the value goes, also when
/// the test fails.
pub struct ScratchDatabase {
    pub name: String,
    pub url: String,
}

impl ScratchDatabase {
    /// Creates database `name`, empty and without any comment.
    pub fn create(name: &str) -> ScratchDatabase {
        let owned = ScratchDatabase::adopt(name);
        run("createdb", &["--maintenance-db", &url_of("postgres"), name]);
        owned
    }

    /// Database `name`, created by the code under test: the test drops it.
    pub fn adopt(name: &str) -> ScratchDatabase {
        ScratchDatabase {
            name: name.to_string(),
            url: url_of(name),
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let maintenance = url_of("postgres");
        let args = [
            "--if-exists",
            "--force",
            "--maintenance-db",
            &maintenance,
            &self.name,
        ];
        if let Some(dropdb) = find_pg_tool("dropdb") {
            let _ = Command::new(dropdb).args(args).output();
        }
    }
}
