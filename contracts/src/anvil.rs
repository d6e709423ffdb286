//! Local anvil for tests and the gas bench (npm `@foundry-rs/anvil`, installed by `npm ci` in `contracts/`).

use std::path::PathBuf;

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
