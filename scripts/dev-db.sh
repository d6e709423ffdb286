#!/usr/bin/env bash
# Creates (or recreates with --reset) the database that sqlx's query! macros check against at compile time,
# with every migration applied. Used by scripts/sqlx-prepare.sh; the app itself migrates at start-up.
# The database is created marked as a scratch database; --reset drops only a database with that mark.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
url="${SQLX_DEV_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/refcodes_dev}"
server="${url%/*}"
name="${url##*/}"
if [[ "${1:-}" == "--reset" ]]; then
  note "resetting the dev database $name on ${server##*@}" >&2
  drop_own_database "$server" "$name"
fi
if ! database_exists "$server" "$name"; then
  create_own_database "$server" "$name"
  for f in migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$url" -f "$f" >/dev/null; done
  echo "dev database $name created and migrated"
fi
echo "$url"
