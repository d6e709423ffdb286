//! Local anvil for tests and the gas bench (npm `@foundry-rs/anvil`, installed by `npm ci` in `contracts/`).
//!
//! # Keeping the chain across a restart (crash tests)
//!
//! [`spawn_anvil_with_state`] starts anvil with `--state <file>`: the chain is loaded from the file if it exists
//! and written to it **when anvil exits on SIGTERM/SIGINT**. Seen with anvil 1.7.1 (`tests/chain/restart.rs`):
//! - stopped with SIGTERM ([`stop_anvil`]), the file holds accounts, code, storage, nonces **and the blocks**:
//!   after a restart on the same port the block number goes on, old receipts and logs are still there, and new
//!   transactions go through;
//! - killed with SIGKILL ([`kill_anvil`]), nothing is written: the restarted chain starts from the previous dump
//!   (or from genesis). `--state-interval <secs>` would bound that loss, but a kill in the middle of a periodic
//!   write can leave a truncated file, so the helpers do not use it;
//! - dropping an [`AnvilInstance`] is graceful too with alloy 2.x (its `Drop` sends SIGTERM, waits up to 10 s,
//!   then SIGKILLs); [`stop_anvil`] does the same explicitly and reports a failure instead of panicking;
//! - the same port can be bound again right after the stop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::signers::local::PrivateKeySigner;

use crate::error::ChainError;

/// Environment variable that overrides where the anvil binary is.
pub const ANVIL_BIN_ENV: &str = "ANVIL_BIN";

/// Where the npm package puts the real binary (`node_modules/.bin/anvil` is a node wrapper; alloy needs this one).
pub const ANVIL_NPM_PATH: &str = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

/// The anvil binary: `$ANVIL_BIN` if set, else `contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil`.
pub fn anvil_path() -> Result<PathBuf, ChainError> {
    if let Some(path) = std::env::var_os(ANVIL_BIN_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ChainError::Anvil(format!(
                "{ANVIL_BIN_ENV}={} is not a file",
                path.display()
            )))
        };
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(ANVIL_NPM_PATH);
    if path.is_file() {
        Ok(path)
    } else {
        Err(ChainError::Anvil(format!(
            "no anvil binary at {}: run `npm ci` in contracts/ or set {ANVIL_BIN_ENV}",
            path.display()
        )))
    }
}

/// Starts anvil on 127.0.0.1 on a port the kernel picks (`-p 0`; anvil prints the real one and alloy reads it),
/// so parallel tests never race for a port. The process is killed when the instance is dropped.
pub fn spawn_anvil() -> Result<AnvilInstance, ChainError> {
    spawn_anvil_with(|anvil| anvil)
}

/// Like [`spawn_anvil`], with extra configuration (e.g. `|a| a.arg("--gas-limit").arg("60000000")`).
pub fn spawn_anvil_with(
    configure: impl FnOnce(Anvil) -> Anvil,
) -> Result<AnvilInstance, ChainError> {
    let anvil = Anvil::at(anvil_path()?).host("127.0.0.1").port(0u16);
    configure(anvil)
        .try_spawn()
        .map_err(|e| ChainError::Anvil(format!("failed to start: {e}")))
}

/// The `index`-th funded dev account of a running anvil as a signer.
pub fn anvil_signer(anvil: &AnvilInstance, index: usize) -> Result<PrivateKeySigner, ChainError> {
    let key = anvil
        .keys()
        .get(index)
        .ok_or_else(|| ChainError::Anvil(format!("anvil has no dev account #{index}")))?;
    Ok(PrivateKeySigner::from(key.clone()))
}

/// How long [`stop_anvil`] waits for anvil to write its state and exit after SIGTERM.
pub const ANVIL_STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// Starts anvil on 127.0.0.1 with `--state <state_file>` (load the file if it exists, dump to it on a graceful
/// exit; see the module docs) on `port`, or on a kernel-picked port with `None`. Give a file path, not a
/// directory. With a fixed port it first waits (up to 3 s) until the port can be bound, so a restart right after
/// [`stop_anvil`] does not race the old process's socket.
pub fn spawn_anvil_with_state(
    state_file: &Path,
    port: Option<u16>,
) -> Result<AnvilInstance, ChainError> {
    if let Some(port) = port {
        wait_until_bindable(port, Duration::from_secs(3))?;
    }
    spawn_anvil_with(|anvil| {
        anvil
            .port(port.unwrap_or(0))
            .arg("--state")
            .arg(state_file.as_os_str())
    })
}

fn wait_until_bindable(port: u16, timeout: Duration) -> Result<(), ChainError> {
    let deadline = Instant::now() + timeout;
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(ChainError::Anvil(format!(
                    "port {port} on 127.0.0.1 is still in use after {} s: {e}",
                    timeout.as_secs()
                )))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound, read and released). Another process may take it
/// before you bind it; prefer `-p 0` ([`spawn_anvil`]) where the port need not be known in advance.
pub fn free_local_port() -> Result<u16, ChainError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| ChainError::Anvil(format!("no free port on 127.0.0.1: {e}")))
}

/// Stops anvil gracefully: SIGTERM (through the `kill` command, so no libc binding is needed), then waits up to
/// [`ANVIL_STOP_TIMEOUT`] for it to exit; with `--state` it writes the state file first. If it does not exit in
/// time it is SIGKILLed and this returns an error.
pub fn stop_anvil(mut anvil: AnvilInstance) -> Result<(), ChainError> {
    let pid = anvil.child().id();
    let status = std::process::Command::new("kill")
        .args(["-s", "TERM", &pid.to_string()])
        .status();
    let sent = matches!(status, Ok(s) if s.success());
    let deadline = Instant::now() + ANVIL_STOP_TIMEOUT;
    let mut outcome = Err(ChainError::Anvil(format!(
        "anvil (pid {pid}) did not exit within {} s of SIGTERM; killed it",
        ANVIL_STOP_TIMEOUT.as_secs()
    )));
    if !sent {
        outcome = Err(ChainError::Anvil(format!(
            "could not send SIGTERM to anvil (pid {pid}) with `kill`: {status:?}; killed it"
        )));
    } else {
        while Instant::now() < deadline {
            match anvil.child_mut().try_wait() {
                Ok(Some(_)) => {
                    outcome = Ok(());
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    outcome = Err(ChainError::Anvil(format!(
                        "waiting for anvil (pid {pid}): {e}"
                    )));
                    break;
                }
            }
        }
    }
    if outcome.is_err() {
        let _ = anvil.child_mut().kill();
        let _ = anvil.child_mut().wait();
    }
    forget_reaped(anvil);
    outcome
}

/// Kills anvil with SIGKILL, like a crash: with `--state`, whatever happened since the last dump is lost.
pub fn kill_anvil(mut anvil: AnvilInstance) -> Result<(), ChainError> {
    let pid = anvil.child().id();
    let killed = anvil
        .child_mut()
        .kill()
        .and_then(|()| anvil.child_mut().wait().map(drop))
        .map_err(|e| ChainError::Anvil(format!("killing anvil (pid {pid}): {e}")));
    forget_reaped(anvil);
    killed
}

/// The process is reaped: skip `AnvilInstance`'s `Drop`, which would signal a pid that may already belong to
/// someone else. (What is leaked is a few dev keys and a `Child` without open pipes.)
fn forget_reaped(anvil: AnvilInstance) {
    std::mem::forget(anvil);
}
