# Shared by scripts/run.sh and scripts/test.sh: install what is missing (and nothing else), find a database.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PATH="$ROOT/scripts/node/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export SQLX_OFFLINE=true
APT_UPDATED=""

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }

apt_install() {
  if [[ -z "$APT_UPDATED" ]]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    note "wasm32 target: present"
  else
    step "Adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version >/dev/null 2>&1; then
    note "cargo-leptos: $(cargo leptos --version)"
    return
  fi
  # --debug: the unoptimized tool installs in ~9 minutes instead of ~22 and builds the app as fast.
  step "Installing cargo-leptos without its run-time downloads (takes ~9 minutes, once)"
  if rustup toolchain list | grep -q '^nightly'; then
    cargo +nightly install cargo-leptos --locked --features no_downloads --debug
  else
    cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads --debug
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $want" ]]; then
    note "wasm-bindgen CLI: $want"
  else
    step "Installing wasm-bindgen-cli $want (must equal the crate version; ~8 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# npm packages of one folder, installed when the lock file changed since the last install.
ensure_npm() {
  local dir="$ROOT/$1"
  if [[ -f "$dir/node_modules/.package-lock.json" && "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
    note "npm packages in $1: present"
  else
    step "Installing npm packages in $1"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The release hydrate wasm aborts at once on a panic (`-Cpanic=immediate-abort`, README, Testing): the
# panic messages and their formatting code leave the bundle. That rebuilds the standard library (-Zbuild-std), which
# takes a nightly toolchain (one from after 2025-09, which knows the flag) with its sources; the server keeps the
# default toolchain. Here-strings, not pipes into `grep -q`: under pipefail a closed pipe would read as "missing".
ensure_wasm_nightly() {
  if ! grep -q '^nightly-x86_64' <<<"$(rustup toolchain list)"; then
    step "Installing the nightly toolchain for the release wasm"
    rustup toolchain install nightly --profile minimal --component rust-src --target wasm32-unknown-unknown
  fi
  grep -q '^rust-src' <<<"$(rustup component list --toolchain nightly --installed)" \
    || { step "Adding nightly's rust-src"; rustup component add rust-src --toolchain nightly; }
  grep -qx wasm32-unknown-unknown <<<"$(rustup target list --toolchain nightly --installed)" \
    || { step "Adding nightly's wasm32 target"; rustup target add wasm32-unknown-unknown --toolchain nightly; }
  note "nightly for the release wasm: $(rustc +nightly --version)"
}

# `cargo leptos build --release` with ARGS: the hydrate wasm by nightly with immediate-abort panics (its own
# RUSTFLAGS keep `erase_components`, .cargo/config.toml), the server by the default toolchain as every other build.
leptos_release_build() {
  ensure_wasm_nightly
  local server_toolchain
  server_toolchain="$(rustup show active-toolchain | cut -d' ' -f1)"
  RUSTUP_TOOLCHAIN=nightly LEPTOS_BIN_CARGO_COMMAND="cargo +$server_toolchain" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort" \
    cargo leptos build --release "$@" --lib-cargo-args="-Zbuild-std=std,panic_abort"
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_npm scripts/node
}

ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then
    note "chromium: present"
  else
    step "Installing Debian's chromium for the browser tests"; apt_install chromium
  fi
}

ensure_psql() {
  command -v psql >/dev/null && return
  step "Installing PostgreSQL client and server (Debian)"; apt_install postgresql
}

reachable() { pg_isready -q -d "$1" -t 3 2>/dev/null; }

# Waits (60 s at most) until the server on loopback port $1 (process $2, log $3) answers /healthz; its log otherwise.
wait_healthy() {
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  echo "the server on port $1 did not become healthy" >&2; cat "$3" >&2; return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Prints a server URL (no database name) that answers: $DATABASE_URL's server when reachable,
# the local default one, or a project-local cluster under target/ started on a free port.
database_server() {
  ensure_psql
  local wanted="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  local server="${wanted%/*}"
  if reachable "$server/postgres"; then echo "$server"; return; fi
  local pg_bin data port
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ ! -x "$pg_bin/initdb" ]]; then apt_install postgresql; pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"; fi
  data="$ROOT/target/pg/data"
  if [[ -f "$ROOT/target/pg/port" ]] && reachable "postgres://postgres@127.0.0.1:$(cat "$ROOT/target/pg/port")/postgres"; then
    echo "postgres://postgres@127.0.0.1:$(cat "$ROOT/target/pg/port")"; return
  fi
  port="$(free_port)"
  mkdir -p "$ROOT/target/pg"
  local as=()
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres "$ROOT/target/pg"; as=(runuser -u postgres --); fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    "${as[@]}" "$pg_bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  fi
  "${as[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$ROOT/target/pg/log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
  echo "$port" > "$ROOT/target/pg/port"
  echo "postgres://postgres@127.0.0.1:$port"
}

database_exists() {
  plain_database_name "$2" || return 1
  [[ "$(psql -qtA "$1/postgres" -c "SELECT count(*) FROM pg_database WHERE datname = '$2'")" == 1 ]]
}

# Creates database $2 on server $1 unless it exists.
ensure_database() {
  database_exists "$1" "$2" || psql -q "$1/postgres" -c "CREATE DATABASE \"$2\"" >/dev/null
}

# The comment on every database these scripts create to throw away (test and scratch databases). A script drops a
# database only while it carries this comment, so never one it did not create.
OWN_DATABASE_MARK='refcodes scratch database, created by scripts/, safe to drop'

plain_database_name() {
  [[ "$1" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "'$1' is not a plain database name (a-z, 0-9, _)" >&2; return 1; }
}

# Creates database $2 on server $1, marked as ours.
create_own_database() {
  plain_database_name "$2" || return 1
  psql -q "$1/postgres" -c "CREATE DATABASE \"$2\"" -c "COMMENT ON DATABASE \"$2\" IS '$OWN_DATABASE_MARK'" >/dev/null
}

# Drops database $2 on server $1 if it is ours (it carries the mark); refuses one that is not; nothing if it is missing.
drop_own_database() {
  plain_database_name "$2" || return 1
  database_exists "$1" "$2" || return 0
  local mark
  mark="$(psql -qtA "$1/postgres" -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$2'")"
  if [[ "$mark" != "$OWN_DATABASE_MARK" ]]; then
    echo "Refusing to drop database $2 on ${1##*@}: these scripts did not create it (it lacks the comment" >&2
    echo "'$OWN_DATABASE_MARK'). If it may go, drop it yourself (DROP DATABASE \"$2\") and run again." >&2
    return 1
  fi
  note "dropping database $2 on ${1##*@}" >&2
  psql -q "$1/postgres" -c "DROP DATABASE \"$2\"" >/dev/null
}

# Database $2 on server $1, empty and marked as ours: dropped first if it is ours, refused if it exists and is not.
reset_own_database() {
  drop_own_database "$1" "$2" && create_own_database "$1" "$2"
}

ANVIL_BIN="$ROOT/contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
# anvil's well-known development keys: account 0 deploys and administers, account 1 is the minter (operator).
DEV_DEPLOYER_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
DEV_OPERATOR_ADDRESS=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
DEV_OPERATOR_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d

rpc() { curl -sf -m 3 -X POST -H 'content-type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1"; }

# Starts anvil on a free loopback port, its state kept in a folder (default target/chain) across runs, and
# deploys the contracts unless they are already there.
# Exports CHAIN_RPC_URL, REWARDS_CONTRACT_ADDRESS, REWARD_TOKEN_ADDRESS, CHAIN_ID.
start_local_chain() {
  ensure_npm contracts
  local dir="${1:-$ROOT/target/chain}" port
  mkdir -p "$dir"
  port="$(free_port)"
  "$ANVIL_BIN" --host 127.0.0.1 --port "$port" --state "$dir/state.json" >"$dir/anvil.log" 2>&1 &
  ANVIL_PID=$!
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 50); do rpc "$url" eth_chainId '[]' >/dev/null && break; sleep 0.2; done
  rpc "$url" eth_chainId '[]' >/dev/null || { cat "$dir/anvil.log"; echo "anvil did not start" >&2; return 1; }
  local code=""
  if [[ -f "$dir/chain.env" ]]; then
    # shellcheck disable=SC1091
    source "$dir/chain.env"
    code="$(rpc "$url" eth_getCode "[\"$REWARDS_CONTRACT_ADDRESS\",\"latest\"]" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')"
  fi
  if [[ "$code" == "" || "$code" == "0x" ]]; then
    note "deploying RewardToken, ReferralRewards (implementation + proxy) in MINT mode"
    DEPLOYER_PRIVATE_KEY="$DEV_DEPLOYER_KEY" cargo run -q -p refcodes-chain --bin deploy -- \
      --rpc-url "$url" --mode mint --operator "$DEV_OPERATOR_ADDRESS" --out "$dir/chain.env"
  else
    note "contracts already deployed at $REWARDS_CONTRACT_ADDRESS"
  fi
  set -a
  # shellcheck disable=SC1091
  source "$dir/chain.env"
  set +a
  export CHAIN_RPC_URL="$url" REFERRAL_MINTER_PRIVATE_KEY="${REFERRAL_MINTER_PRIVATE_KEY:-$DEV_OPERATOR_KEY}"
}
