#!/usr/bin/env bash
# Runs the app with embedded defaults on http://127.0.0.1:3000 (installs what is missing first).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

step "Checking build tools"
ensure_build_tools

step "Finding PostgreSQL"
server="$(database_server)"
if [[ -n "${DATABASE_URL:-}" && "${DATABASE_URL%/*}" == "$server" ]]; then
  note "using DATABASE_URL"
else
  ensure_database "$server" refcodes
  export DATABASE_URL="$server/refcodes"
  note "using $DATABASE_URL"
fi

step "Starting the local chain (anvil) with the contracts"
start_local_chain
trap 'kill "$ANVIL_PID" 2>/dev/null || true' EXIT
note "chain $CHAIN_RPC_URL, rewards contract $REWARDS_CONTRACT_ADDRESS"

# Development mode: demo data, test payments, the local chain's keys and the development cron secret are allowed
# (any start without APP_ENV=development is production and refuses them; see src/server/platform/production.rs).
export APP_ENV=development
export SEED_DEMO="${SEED_DEMO:-true}"
# The demo mints card rewards as soon as an admin approves them.
export REWARD_HOLD_DAYS="${REWARD_HOLD_DAYS:-0}"
export BRAND_NAME="${BRAND_NAME:-Refcodes}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:3000}"
# The minter: a development cron secret (scheduler: curl -H "Authorization: Bearer $CRON_SECRET" …/api/cron/refcodes-mint)
# and the in-process schedule.
export CRON_SECRET="${CRON_SECRET:-dev-cron-secret-change-me}"
export MINT_INTERVAL_SECS="${MINT_INTERVAL_SECS:-60}"

step "Building and serving on http://127.0.0.1:3000 (Ctrl-C stops)"
note "demo admin:  admin@refcodes.local / admin-demo-password"
note "demo member: member@refcodes.local / member-demo-password"
cargo leptos serve --split "$@"
