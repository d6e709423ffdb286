//! Databases as a whole, on a connection to another database of the same server: whether one exists and with
//! which comment, creating one with a comment, dropping one. `CREATE`, `COMMENT ON` and `DROP DATABASE` take no
//! bind parameters, so the name is quoted as an identifier and the comment as a literal here.
use sqlx::PgConnection;

/// `None` when there is no database `name`; else its `COMMENT ON DATABASE`, if any.
pub async fn comment_of(
    conn: &mut PgConnection,
    name: &str,
) -> sqlx::Result<Option<Option<String>>> {
    sqlx::query_scalar!(
        "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
        name
    )
    .fetch_optional(conn)
    .await
}

/// Creates database `name` and sets its comment.
pub async fn create_with_comment(
    conn: &mut PgConnection,
    name: &str,
    comment: &str,
) -> sqlx::Result<()> {
    let name = identifier(name);
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut *conn)
        .await?;
    sqlx::raw_sql(&format!(
        "COMMENT ON DATABASE {name} IS {}",
        literal(comment)
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// Drops database `name` (refused by PostgreSQL while another session is connected to it).
pub async fn drop_database(conn: &mut PgConnection, name: &str) -> sqlx::Result<()> {
    sqlx::raw_sql(&format!("DROP DATABASE {}", identifier(name)))
        .execute(conn)
        .await
        .map(drop)
}

fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_comments_are_quoted() {
        assert_eq!(identifier("refcodes_bench_mint"), "\"refcodes_bench_mint\"");
        assert_eq!(identifier("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's ours"), "'it''s ours'");
    }
}
