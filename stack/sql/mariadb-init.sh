#!/bin/sh
# docker-compose: the mariadb image runs this once, on an empty data volume.
# The SQL is the local stack's own (stack/sql/mariadb.sql); passwords come from the environment.
set -eu
literal() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"; }
{
    printf "%s\n" "SET @loader_password = $(literal "$COUNCIL_LOADER_PASSWORD");"
    printf "%s\n" "SET @linker_password = $(literal "$COUNCIL_LINKER_PASSWORD");"
    printf "%s\n" "SET @socialcare_password = $(literal "$SOCIALCARE_DB_PASSWORD");"
    printf "%s\n" "SET @education_password = $(literal "$EDUCATION_DB_PASSWORD");"
    cat /citizen-gateway/sql/mariadb.sql
} | mariadb --protocol=socket --user=root --password="$MARIADB_ROOT_PASSWORD"
