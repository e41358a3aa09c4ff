#!/usr/bin/env bash
# The real Supabase CLI and our migrator must build the same schema. Two fresh databases
# on the CI PostgreSQL: one gets our bootstrap (what a Supabase project already has)
# and then `supabase db push`; the other `npm run migrate` (which bootstraps itself).
# Their `pg_dump --schema-only` must be identical, history table included (the migrator
# creates supabase_migrations.schema_migrations with the CLI's own statements), and so
# must the versions recorded in it. The one normalisation: pg_dump's \restrict and
# \unrestrict lines carry a random key per run. (The rows differ legitimately: the CLI
# stores a migration split into statements, the migrator whole; both compare them the
# same way, see lib/migrate/migrator.ts.)
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${CI_POSTGRES_HOST:-127.0.0.1}"
SERVER="postgres://postgres@$HOST:5432"
SUFFIX="$(date +%s)_$$"
CLI_DB="koepon_ci_cli_$SUFFIX"
OURS_DB="koepon_ci_migrator_$SUFFIX"
WORK="$(mktemp -d /tmp/koepon-supabase-push-XXXXXX)"
cleanup() {
  psql -q "$SERVER/postgres" -c "drop database if exists $CLI_DB with (force)" -c "drop database if exists $OURS_DB with (force)" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql -q -v ON_ERROR_STOP=1 "$SERVER/postgres" -c "create database $CLI_DB" -c "create database $OURS_DB"

psql -q -v ON_ERROR_STOP=1 "$SERVER/$CLI_DB" -f supabase/bootstrap/supabase-compat.sql
npx --yes supabase@2.117.0 --version
npx --yes supabase@2.117.0 db push --db-url "$SERVER/$CLI_DB?sslmode=disable" --yes

DATABASE_URL="$SERVER/$OURS_DB?sslmode=disable" npm run -s migrate

for db in "$CLI_DB" "$OURS_DB"; do
  pg_dump --schema-only --no-owner "$SERVER/$db" |
    grep -v '^\\\(un\)\?restrict ' >"$WORK/$db.sql"
  psql -At "$SERVER/$db" -c "select version from supabase_migrations.schema_migrations order by version" >"$WORK/$db.versions"
done

diff -u "$WORK/$CLI_DB.sql" "$WORK/$OURS_DB.sql"
diff -u "$WORK/$CLI_DB.versions" "$WORK/$OURS_DB.versions"
echo "supabase db push and npm run migrate agree: $(wc -l <"$WORK/$OURS_DB.versions") migrations, identical schema ($(grep -c '^CREATE TABLE' "$WORK/$OURS_DB.sql") tables)."
