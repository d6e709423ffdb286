#!/usr/bin/env bash
# Creates (or recreates with --reset) the database that sqlx's query! macros check against at compile time,
# with every migration applied. Used by scripts/sqlx-prepare.sh; the app itself migrates at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${SQLX_DEV_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/refcodes_dev}"
admin_url="${url%/*}/postgres"
name="${url##*/}"
if [[ "${1:-}" == "--reset" ]]; then
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$name\"" >/dev/null
fi
if ! psql -qtA "$admin_url" -c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
  psql -q "$admin_url" -c "CREATE DATABASE \"$name\"" >/dev/null
  for f in migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$url" -f "$f" >/dev/null; done
  echo "dev database $name created and migrated"
fi
echo "$url"
