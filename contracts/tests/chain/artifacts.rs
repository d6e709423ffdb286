/// The committed artifacts (which the `sol!` bindings are generated from) must be exactly what the sources
/// compile to. Runs `node build.mjs --check` (needs `npm ci` in contracts/, like anvil does).
#[test]
fn committed_artifacts_match_the_sources() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new("node")
        .arg("build.mjs")
        .arg("--check")
        .current_dir(dir)
        .output()
        .expect("run node (Node.js is needed for the contract build check)");
    assert!(
        out.status.success(),
        "node build.mjs --check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("artifacts match the sources"));
}
