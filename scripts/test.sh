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
     | grep -E '^[│├└ ─]*(sqlx|argon2|tokio|axum|alloy|tower-http|rustls|native-tls|openssl) v' ; then
  echo "a server-only crate is in the wasm build" >&2; exit 1
fi

step "Contract artifacts match the Solidity sources (npm solc rebuild)"
node contracts/build.mjs --check

step "Contract and chain tests against a real anvil"
cargo test -p refcodes-chain

step "Unit and integration tests (each #[sqlx::test] gets its own database)"
DATABASE_URL="$server/postgres" cargo test --no-default-features --features ssr

step "Release build with cargo-leptos: the server and the split hydrate wasm an operator ships"
leptos_release_build --split --precompress

step "Browser journeys on the release build (Playwright, headless Chromium; hydrated and without JavaScript)"
reset_own_database "$server" refcodes_e2e
rm -rf "$ROOT/target/chain-e2e"
start_local_chain "$ROOT/target/chain-e2e"
port="$(free_port)"
log="$CARGO_TARGET_DIR/e2e-server.log"
# Every journey comes from one address, faster than any person: the per-address limits are lifted.
DATABASE_URL="$server/refcodes_e2e" LEPTOS_SITE_ADDR="127.0.0.1:$port" SITE_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" APP_ENV=development SEED_DEMO=true \
  RATE_SIGN_IN_PER_MINUTE=100000 RATE_SIGN_UP_PER_MINUTE=100000 RATE_ORDER_PER_MINUTE=100000 \
  RATE_TRACK_PER_MINUTE=100000 REWARD_HOLD_DAYS=0 \
  CHAIN_EXPLORER_TX_URL="https://explorer.invalid/tx/{tx}" \
  "$CARGO_TARGET_DIR/release/refcodes" >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" "$ANVIL_PID" 2>/dev/null || true' EXIT
wait_healthy "$port" "$server_pid" "$log"
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test --grep-invert @hold)
# The hold journeys need card rewards to wait out a refund window: a second server over a database of its own.
reset_own_database "$server" refcodes_e2e_hold
hport="$(free_port)"
hlog="$CARGO_TARGET_DIR/e2e-hold-server.log"
DATABASE_URL="$server/refcodes_e2e_hold" LEPTOS_SITE_ADDR="127.0.0.1:$hport" SITE_URL="http://127.0.0.1:$hport" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" APP_ENV=development SEED_DEMO=true REWARD_HOLD_DAYS=14 \
  RATE_SIGN_IN_PER_MINUTE=100000 RATE_SIGN_UP_PER_MINUTE=100000 RATE_ORDER_PER_MINUTE=100000 \
  RATE_TRACK_PER_MINUTE=100000 \
  "$CARGO_TARGET_DIR/release/refcodes" >"$hlog" 2>&1 &
hold_pid=$!
trap 'kill "$server_pid" "$hold_pid" "$ANVIL_PID" 2>/dev/null || true' EXIT
wait_healthy "$hport" "$hold_pid" "$hlog"
(cd end2end && BASE_URL="http://127.0.0.1:$hport" npx playwright test --grep @hold --project=hydrated)
kill "$hold_pid"

step "The release bundle, unpacked in an empty directory and started in production mode"
dist="$(bash "$ROOT/scripts/bundle.sh" --no-build | tail -n 1)"
reset_own_database "$server" refcodes_bundle
run_dir="$(mktemp -d)"
cp -r "$dist/." "$run_dir/"
bport="$(free_port)"
blog="$CARGO_TARGET_DIR/bundle-server.log"
# Production settings without a development default: live payments with a merchant of the test's own, no demo data.
(cd "$run_dir" && exec env -i PATH="$PATH" APP_ENV=production DATABASE_URL="$server/refcodes_bundle" \
  LEPTOS_SITE_ADDR="127.0.0.1:$bport" SITE_URL="http://127.0.0.1:$bport" LEPTOS_SITE_ROOT=site \
  PAYMENTS_MODE=live WAYFORPAY_MERCHANT_ACCOUNT=bundle_check WAYFORPAY_SECRET_KEY="$(openssl rand -hex 16)" \
  ./refcodes) >"$blog" 2>&1 &
bundle_pid=$!
trap 'kill "$server_pid" "$hold_pid" "$ANVIL_PID" "$bundle_pid" 2>/dev/null || true; rm -rf "$run_dir"' EXIT
wait_healthy "$bport" "$bundle_pid" "$blog"
# Only a live code is captured: a member of the bundle's own makes one through the JSON API (a code pays only a
# wallet proven by signature: the script signs with ethers).
(cd end2end && node scripts/bundle-member.mjs "http://127.0.0.1:$bport") \
  || { echo "bundle: the member's code was not created" >&2; exit 1; }
landing="$(curl -s -D - -o "$run_dir/landing.html" "http://127.0.0.1:$bport/en/?ref=bundle-check")"
grep -q '^HTTP/1.1 200' <<<"$landing" || { echo "landing page: $landing" >&2; exit 1; }
grep -qi '^set-cookie: ring_ref=BUNDLE-CHECK' <<<"$landing" || { echo "no first-touch cookie: $landing" >&2; exit 1; }
grep -q '/pkg/refcodes\.[A-Za-z0-9_-]\{22\}\.js' "$run_dir/landing.html" || { echo "the landing page loads no hydrate script" >&2; exit 1; }
# The stylesheet is named by its bytes: kept a year, served precompressed.
style="$(grep -o '/pkg/refcodes\.[A-Za-z0-9_-]\{22\}\.css' "$run_dir/landing.html" | head -n 1)"
[[ -n "$style" ]] || { echo "the landing page links no content-hashed stylesheet" >&2; exit 1; }
asset="$(curl -s -D - -o /dev/null -H 'Accept-Encoding: br' "http://127.0.0.1:$bport$style")"
grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$asset" || { echo "$style: $asset" >&2; exit 1; }
grep -qi '^content-encoding: br' <<<"$asset" || { echo "$style is not served precompressed: $asset" >&2; exit 1; }
note "bundle: /healthz, the landing page with ?ref= and its cookie, $style immutable and brotli answered"
(cd end2end && BASE_URL="http://127.0.0.1:$bport" npx playwright test hydration.spec.ts --project=hydrated -g "public page")
kill "$bundle_pid"

step "Hydrate wasm size of that build: the main module must stay within its 300 KB gzip budget"
bash "$ROOT/scripts/wasm-size.sh" --no-build

step "All checks passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
