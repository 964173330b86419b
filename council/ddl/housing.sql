-- Housing (PostgreSQL): council tenants, tenancies, rent accounts, repairs.
-- Loading (citizen-gateway seed): tables are created with their primary keys, bulk-loaded, then
-- the CREATE INDEX / ALTER TABLE statements below each table run (indexes built after the load).
CREATE SCHEMA IF NOT EXISTS housing;

CREATE TABLE housing.tenant (
    tenant_id      bigint PRIMARY KEY,
    given_name     varchar(60) NOT NULL,
    family_name    varchar(60) NOT NULL,
    date_of_birth  date,
    ni_number      varchar(9)
);

CREATE TABLE housing.tenancy (
    tenancy_id    bigint PRIMARY KEY,
    tenant_id     bigint NOT NULL,
    uprn          bigint NOT NULL,
    address_line  varchar(120) NOT NULL,
    postcode      varchar(8) NOT NULL,
    tenure        varchar(12) NOT NULL,         -- secure, introductory, flexible
    start_date    date NOT NULL,
    end_date      date
);
CREATE INDEX tenancy_tenant ON housing.tenancy (tenant_id);

CREATE TABLE housing.rent_account (
    account_id       bigint PRIMARY KEY,
    tenancy_id       bigint NOT NULL,
    weekly_rent      numeric(8,2) NOT NULL,
    balance          numeric(10,2) NOT NULL,    -- negative = in arrears
    arrears_weeks    integer NOT NULL,
    last_payment_on  date
);
ALTER TABLE housing.rent_account
    ADD CONSTRAINT rent_account_tenancy_id_key UNIQUE (tenancy_id);
CREATE INDEX rent_account_arrears ON housing.rent_account (arrears_weeks);  -- cohorts: arrears

CREATE TABLE housing.repair (
    repair_id     bigint PRIMARY KEY,
    tenancy_id    bigint NOT NULL,
    reported_on   date NOT NULL,
    category      varchar(24) NOT NULL,         -- damp and mould, heating, plumbing, electrical, ...
    priority      varchar(12) NOT NULL,         -- emergency, urgent, routine
    completed_on  date
);
CREATE INDEX repair_tenancy ON housing.repair (tenancy_id, reported_on);
