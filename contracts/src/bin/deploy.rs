//! Deploys RewardToken + ReferralRewards (implementation and initialized ERC1967 proxy) and prints the settings
//! the app reads, as env lines. See `--help`.

use std::path::PathBuf;
use std::process::ExitCode;

use alloy::primitives::{Address, U256};
use refcodes_chain::{deploy, signer_from_hex, ChainClient, Mode};

const USAGE: &str = "\
usage: deploy --rpc-url URL --private-key HEX --mode mint|transfer [options]

Deploys the test RewardToken, the ReferralRewards implementation and its ERC1967 proxy (initialized), then
grants the proxy MINTER_ROLE (mint) or funds it (transfer), and prints env lines for the app:
REWARDS_CONTRACT_ADDRESS, REWARD_TOKEN_ADDRESS, CHAIN_RPC_URL, CHAIN_ID.

  --rpc-url URL        http(s) JSON-RPC endpoint
  --private-key HEX    deployer key (64 hex digits, optional 0x); or set DEPLOYER_PRIVATE_KEY instead
                       (keeps the key out of the process list). Never printed.
  --mode MODE          mint | transfer
  --operator ADDR      account allowed to pay rewards (OPERATOR_ROLE); default: the deployer
  --admin ADDR         DEFAULT_ADMIN_ROLE holder (upgrade, pause, setMode …); default: the deployer
  --treasury TOKENS    whole tokens (18 decimals) minted to the proxy; default 1000000 in transfer mode, 0 in mint
  --out FILE           also write the env lines to FILE (overwritten)
  -h, --help           this text";

#[derive(Debug)]
struct Args {
    rpc_url: String,
    private_key: String,
    mode: Mode,
    operator: Option<Address>,
    admin: Option<Address>,
    treasury_tokens: Option<U256>,
    out: Option<PathBuf>,
}

enum Parsed {
    Run(Box<Args>),
    Help,
}

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut rpc_url = None;
    let mut private_key = None;
    let mut mode = None;
    let mut operator = None;
    let mut admin = None;
    let mut treasury_tokens = None;
    let mut out = None;

    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Parsed::Help);
        }
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--rpc-url" => rpc_url = Some(value()?),
            "--private-key" => private_key = Some(value()?),
            "--mode" => mode = Some(value()?.parse::<Mode>().map_err(|e| e.to_string())?),
            "--operator" => operator = Some(parse_address("--operator", &value()?)?),
            "--admin" => admin = Some(parse_address("--admin", &value()?)?),
            "--treasury" => {
                let v = value()?;
                let tokens = v
                    .trim()
                    .parse::<U256>()
                    .map_err(|_| format!("--treasury: {v:?} is not a whole number of tokens"))?;
                treasury_tokens = Some(tokens);
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            // A stray value may be a key given to a misspelt flag: never echo it.
            _ => return Err("unexpected value without an option (not shown)".to_string()),
        }
    }

    let private_key = match private_key {
        Some(k) => k,
        None => std::env::var("DEPLOYER_PRIVATE_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or("--private-key (or DEPLOYER_PRIVATE_KEY) is required")?,
    };
    Ok(Parsed::Run(Box::new(Args {
        rpc_url: rpc_url.ok_or("--rpc-url is required")?,
        private_key,
        mode: mode.ok_or("--mode is required (mint or transfer)")?,
        operator,
        admin,
        treasury_tokens,
        out,
    })))
}

fn parse_address(flag: &str, value: &str) -> Result<Address, String> {
    value
        .trim()
        .parse::<Address>()
        .map_err(|_| format!("{flag}: {value:?} is not an address (0x + 40 hex digits)"))
}

fn treasury_units(args: &Args) -> Result<U256, String> {
    let tokens = args.treasury_tokens.unwrap_or(match args.mode {
        Mode::Mint => U256::ZERO,
        Mode::Transfer => U256::from(1_000_000u64),
    });
    tokens
        .checked_mul(U256::from(10u64).pow(U256::from(18u64)))
        .ok_or_else(|| "--treasury is too large".to_string())
}

async fn run(args: Args) -> Result<(), String> {
    let treasury = treasury_units(&args)?;
    let signer = signer_from_hex(&args.private_key).map_err(|e| e.to_string())?;
    let client = ChainClient::connect(&args.rpc_url, signer)
        .await
        .map_err(|e| e.to_string())?;
    let admin = args.admin.unwrap_or(client.sender());
    let operator = args.operator.unwrap_or(client.sender());
    eprintln!(
        "deploying on chain {} as {} (mode {}, admin {admin}, operator {operator}) …",
        client.chain_id(),
        client.sender(),
        args.mode
    );
    let d = deploy(&client, admin, operator, args.mode, treasury)
        .await
        .map_err(|e| e.to_string())?;

    let env = format!(
        "# refcodes chain settings (written by `cargo run -p refcodes-chain --bin deploy`)\n\
         # mode={} implementation={} admin={admin} operator={operator} treasury={treasury}\n\
         REWARDS_CONTRACT_ADDRESS={}\n\
         REWARD_TOKEN_ADDRESS={}\n\
         CHAIN_RPC_URL={}\n\
         CHAIN_ID={}\n",
        d.mode,
        d.implementation,
        d.proxy,
        d.token,
        client.rpc_url(),
        client.chain_id()
    );
    print!("{env}");
    if let Some(path) = &args.out {
        std::fs::write(path, &env).map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(args)) => *args,
        Err(e) => {
            eprintln!("deploy: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deploy: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_a_full_command_line() {
        let Parsed::Run(a) = parse_args(args(
            "--rpc-url http://127.0.0.1:8545 --private-key 0xabc --mode transfer \
             --operator 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --treasury=5 --out chain.env",
        ))
        .unwrap() else {
            panic!("expected a run")
        };
        assert_eq!(a.mode, Mode::Transfer);
        assert_eq!(a.treasury_tokens, Some(U256::from(5)));
        assert_eq!(
            treasury_units(&a).unwrap(),
            U256::from(5) * U256::from(10u64).pow(U256::from(18))
        );
        assert_eq!(a.out, Some(PathBuf::from("chain.env")));
        assert!(a.operator.is_some());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let base = "--rpc-url http://x --private-key 0xabc";
        assert!(parse_args(args(&format!("{base} --mode burn"))).is_err());
        assert!(parse_args(args(&format!("{base} --mode mint --operator 0x12"))).is_err());
        assert!(parse_args(args(&format!("{base} --mode mint --treasury -1"))).is_err());
        assert!(parse_args(args(&format!("{base} --mode"))).is_err());
        assert!(parse_args(args(&format!("{base} --mode mint --frobnicate"))).is_err());
        assert!(parse_args(args("--private-key 0xabc --mode mint")).is_err());
        assert!(matches!(parse_args(args("--help")), Ok(Parsed::Help)));
    }

    #[test]
    fn errors_do_not_echo_the_key() {
        let e = parse_args(args("--private-key 0xdeadbeefcafe --mode mint"))
            .err()
            .unwrap();
        assert!(!e.contains("deadbeef"), "{e}");
        let e = parse_args(args("--privatekey 0xdeadbeefcafe"))
            .err()
            .unwrap();
        assert!(!e.contains("deadbeef"), "{e}");
        let e = parse_args(args("0xdeadbeefcafe")).err().unwrap();
        assert!(!e.contains("deadbeef"), "{e}");
    }
}
