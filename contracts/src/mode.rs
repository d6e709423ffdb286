//! Payment mode of the ReferralRewards contract (Solidity `enum Mode { MINT, TRANSFER }`).

use std::fmt;
use std::str::FromStr;

use crate::error::ChainError;

/// How the contract pays a reward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Mint through the reward token (the proxy holds the token's `MINTER_ROLE`).
    Mint,
    /// Transfer from the proxy's own token balance (the treasury).
    Transfer,
}

impl Mode {
    /// The Solidity enum value (`MINT = 0`, `TRANSFER = 1`).
    pub const fn as_u8(self) -> u8 {
        match self {
            Mode::Mint => 0,
            Mode::Transfer => 1,
        }
    }

    /// Parses the Solidity enum value.
    pub fn from_u8(value: u8) -> Result<Self, ChainError> {
        match value {
            0 => Ok(Mode::Mint),
            1 => Ok(Mode::Transfer),
            other => Err(ChainError::UnknownMode(other.to_string())),
        }
    }

    /// The lower-case name used on command lines and in config (`mint` / `transfer`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Mint => "mint",
            Mode::Transfer => "transfer",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = ChainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mint" => Ok(Mode::Mint),
            "transfer" => Ok(Mode::Transfer),
            _ => Err(ChainError::UnknownMode(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        assert_eq!("mint".parse::<Mode>().unwrap(), Mode::Mint);
        assert_eq!(" TRANSFER ".parse::<Mode>().unwrap(), Mode::Transfer);
        assert!("burn".parse::<Mode>().is_err());
        for mode in [Mode::Mint, Mode::Transfer] {
            assert_eq!(Mode::from_u8(mode.as_u8()).unwrap(), mode);
            assert_eq!(mode.to_string().parse::<Mode>().unwrap(), mode);
        }
        assert!(Mode::from_u8(2).is_err());
    }
}
