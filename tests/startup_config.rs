//! The real binary refuses to start on a bad configuration value and names it.
use std::process::Command;

fn start_with(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_refcodes"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:1/never-reached",
    );
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run the server binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_value_stops_start_up_naming_the_variable() {
    for (var, value) in [
        ("SESSION_DAYS", "forever"),
        ("SITE_URL", "ftp://x"),
        ("LEPTOS_SITE_ADDR", "nowhere"),
        ("SEED_DEMO", "maybe"),
    ] {
        let (code, stderr) = start_with(&[(var, value)]);
        assert_eq!(code, Some(2), "{var}: {stderr}");
        assert!(
            stderr.contains(var) && stderr.contains(value),
            "{var}: {stderr}"
        );
    }
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let (code, stderr) = start_with(&[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}
