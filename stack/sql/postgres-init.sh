#!/bin/sh
# docker-compose: the postgres image runs this once, on an empty data volume, as its superuser.
# The SQL is the local stack's own (stack/sql/postgres.sql); passwords come from the environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v loader_password="$COUNCIL_LOADER_PASSWORD" \
    -v linker_password="$COUNCIL_LINKER_PASSWORD" \
    -v registry_password="$REGISTRY_DB_PASSWORD" \
    -v health_password="$HEALTH_DB_PASSWORD" \
    -v housing_password="$HOUSING_DB_PASSWORD" \
    -f /citizen-gateway/sql/postgres.sql
