-- Databases and accounts of the PostgreSQL departments: registry, health, housing.
-- Run by psql as the superuser, with psql variables loader_password, registry_password,
-- health_password and housing_password. Idempotent: `citizen-gateway stack up` runs it on every
-- start (it also re-applies the grants after seeding); docker-compose runs it once as an init
-- script (stack/sql/postgres-init.sh).
--
-- council_loader owns the databases (it creates and loads the tables: citizen-gateway seed).
-- <dept>_reader may connect to its own department's database only, and read only the
-- department's schema (registry_reader: schema registry, never registry_truth).
-- council_linker (citizen-gateway link) may connect to the three; what it may read and write
-- there (identifying columns, the index tables) is granted from the contract after seeding
-- (`citizen-gateway link grants`, stack/seed.py).
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', name)
FROM unnest(ARRAY['council_loader', 'council_linker', 'registry_reader', 'health_reader',
                   'housing_reader']) AS name
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name)
\gexec
ALTER ROLE council_loader LOGIN PASSWORD :'loader_password';
ALTER ROLE council_linker LOGIN PASSWORD :'linker_password';
ALTER ROLE registry_reader LOGIN PASSWORD :'registry_password';
ALTER ROLE health_reader LOGIN PASSWORD :'health_password';
ALTER ROLE housing_reader LOGIN PASSWORD :'housing_password';

SELECT format('CREATE DATABASE %I OWNER council_loader ENCODING %L TEMPLATE template0', name, 'UTF8')
FROM unnest(ARRAY['registry', 'health', 'housing']) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\gexec

REVOKE ALL ON DATABASE registry, health, housing FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE registry, health, housing TO council_loader;
GRANT CONNECT ON DATABASE registry TO registry_reader;
GRANT CONNECT ON DATABASE health TO health_reader;
GRANT CONNECT ON DATABASE housing TO housing_reader;
GRANT CONNECT ON DATABASE registry, health, housing TO council_linker;

\connect registry
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION council_loader;
CREATE SCHEMA IF NOT EXISTS registry_truth AUTHORIZATION council_loader;
REVOKE ALL ON SCHEMA registry_truth FROM PUBLIC;
GRANT USAGE ON SCHEMA registry TO registry_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA registry TO registry_reader;
-- tables the loader creates later are readable too (only in schema registry)
ALTER DEFAULT PRIVILEGES FOR ROLE council_loader IN SCHEMA registry
    GRANT SELECT ON TABLES TO registry_reader;

\connect health
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS health AUTHORIZATION council_loader;
GRANT USAGE ON SCHEMA health TO health_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA health TO health_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE council_loader IN SCHEMA health
    GRANT SELECT ON TABLES TO health_reader;

\connect housing
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS housing AUTHORIZATION council_loader;
GRANT USAGE ON SCHEMA housing TO housing_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA housing TO housing_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE council_loader IN SCHEMA housing
    GRANT SELECT ON TABLES TO housing_reader;
