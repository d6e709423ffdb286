#!/usr/bin/env bash
# Runs every check and test: format, clippy (server and wasm), the hydrate-only build, unit and
# integration tests against a real PostgreSQL, and the browser journeys in Debian's Chromium.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$SECONDS

step "Checking tools (installs only what is missing)"
ensure_build_tools
ensure_npm end2end
ensure_npm contracts
ensure_chromium

step "Finding PostgreSQL"
server="$(database_server)"
note "server: $server"

step "Format"
cargo fmt --all --check

step "Clippy: server build (ssr) and the chain crate, warnings denied"
cargo clippy --no-default-features --features ssr --all-targets -- -D warnings
cargo clippy -p refcodes-chain --all-targets -- -D warnings

step "Clippy and the hydrate-only build (wasm32, no server crates)"
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
if cargo tree --target wasm32-unknown-unknown --no-default-features --features hydrate -e normal \
     | grep -E '^[│├└ ─]*(sqlx|argon2|tokio|axum|alloy|tower-http) v' ; then
  echo "a server-only crate is in the wasm build" >&2; exit 1
fi

step "Contract artifacts match the Solidity sources (npm solc rebuild)"
node contracts/build.mjs --check

step "Contract and chain tests against a real anvil"
cargo test -p refcodes-chain

step "Unit and integration tests (each #[sqlx::test] gets its own database)"
DATABASE_URL="$server/postgres" cargo test --no-default-features --features ssr

step "Release build with cargo-leptos: the server and the split hydrate wasm an operator ships"
cargo leptos build --release --split

step "Browser journeys on the release build (Playwright, headless Chromium; hydrated and without JavaScript)"
reset_own_database "$server" refcodes_e2e
rm -rf "$ROOT/target/chain-e2e"
start_local_chain "$ROOT/target/chain-e2e"
port="$(free_port)"
log="$CARGO_TARGET_DIR/e2e-server.log"
DATABASE_URL="$server/refcodes_e2e" LEPTOS_SITE_ADDR="127.0.0.1:$port" SITE_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" SEED_DEMO=true ADMIN_EMAILS=admin@refcodes.local \
  CHAIN_EXPLORER_TX_URL="https://explorer.invalid/tx/{tx}" \
  "$CARGO_TARGET_DIR/release/refcodes" >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" "$ANVIL_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not become healthy" >&2; cat "$log"; exit 1; }
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test)

step "Hydrate wasm size of that build: the main module must stay within its 300 KB gzip budget"
bash "$ROOT/scripts/wasm-size.sh" --no-build

step "All checks passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
