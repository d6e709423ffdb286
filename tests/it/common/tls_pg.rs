//! A PostgreSQL cluster of the test's own that speaks TLS with a certificate from the test's own certificate
//! authority, so that `sslmode=verify-full` can be proven; stopped and removed when dropped.
use super::pg::pg_tool;
use super::tls::TestCa;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster with `ssl=on`, reachable as `localhost:port`, user `postgres`, trust authentication.
pub struct TlsCluster {
    pub port: u16,
    data: PathBuf,
    run_as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl TlsCluster {
    /// Starts a cluster whose server certificate `ca` signed.
    pub fn start(ca: &TestCa) -> TlsCluster {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
        let run_as_postgres = is_root();
        let (cert, key) = ca.server_cert();
        let cert_file = dir.path().join("server.crt");
        let key_file = dir.path().join("server.key");
        std::fs::write(&cert_file, cert).unwrap();
        std::fs::write(&key_file, key).unwrap();
        let cluster = TlsCluster {
            port: free_port(),
            data,
            run_as_postgres,
            _dir: dir,
        };
        let root = cluster._dir.path();
        set_mode(&key_file, 0o600);
        if run_as_postgres {
            assert!(Command::new("chown")
                .args(["-R", "postgres"])
                .arg(root)
                .status()
                .unwrap()
                .success());
            set_mode(root, 0o755);
        }
        cluster.run(
            "initdb",
            &["-D", path(&cluster.data), "-U", "postgres", "--auth=trust"],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            cluster.port,
            path(root),
            path(&cert_file),
            path(&key_file)
        );
        let log = root.join("log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                path(&cluster.data),
                "-l",
                path(&log),
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
        cluster
    }

    /// `postgres://postgres@localhost:PORT/postgres` with `query` (e.g. `sslmode=verify-full&sslrootcert=…`).
    pub fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@localhost:{}/postgres?{query}",
            self.port
        )
    }

    /// A PostgreSQL server program, run as the cluster's owner.
    fn command(&self, tool: &str) -> Command {
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_tool(tool));
            c
        } else {
            Command::new(pg_tool(tool))
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for TlsCluster {
    fn drop(&mut self) {
        let data = self.data.clone();
        let stop = ["-D", path(&data), "-m", "immediate", "stop"];
        let _ = self.command("pg_ctl").args(stop).output();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
