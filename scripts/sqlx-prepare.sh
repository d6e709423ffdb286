#!/usr/bin/env bash
# Regenerates .sqlx/ (offline query metadata) by compiling against a scratch database with every migration.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
server="$(database_server)"
SQLX_DEV_DATABASE_URL="$server/refcodes_sqlx" scripts/dev-db.sh --reset >/dev/null
rm -rf .sqlx && mkdir .sqlx
touch src/lib.rs
SQLX_OFFLINE=false DATABASE_URL="$server/refcodes_sqlx" SQLX_OFFLINE_DIR="$ROOT/.sqlx" \
  cargo check --no-default-features --features ssr --all-targets
echo ".sqlx/ now holds $(ls .sqlx | wc -l) queries"
