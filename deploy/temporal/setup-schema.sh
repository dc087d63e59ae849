#!/bin/sh
# Creates (or upgrades in place) Temporal's two databases in Postgres, with the server's own variables:
# DBNAME and VISIBILITY_DBNAME on POSTGRES_SEEDS:DB_PORT as POSTGRES_USER/POSTGRES_PWD. Every step is
# idempotent (create and setup-schema leave an existing database as it is, update-schema applies only
# what is missing), so it is safe to re-run; any failure, an unreachable Postgres or a refused
# password included, stops it with the tool's error.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the Postgres host}" "${POSTGRES_USER:?POSTGRES_USER must be set}"
# The tool reads these itself; the password stays out of the process list.
export SQL_PLUGIN="${DB:-postgres12}" SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="${DB_PORT:-5432}"
export SQL_USER="$POSTGRES_USER" SQL_PASSWORD="${POSTGRES_PWD:-}"

setup() { # <database> <schema: temporal or visibility>
  echo "schema: $2 in database $1 on $SQL_HOST:$SQL_PORT"
  temporal-sql-tool --db "$1" create
  temporal-sql-tool --db "$1" setup-schema -v 0.0
  temporal-sql-tool --db "$1" update-schema --schema-name "postgresql/v12/$2"
}
setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
