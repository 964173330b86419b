-- Registry (PostgreSQL): the council's master person index.
-- citizen: one row per person known to the council; person_link: which local record in each
-- department belongs to which citizen (at most one active link per department and citizen).
-- Loading (citizen-gateway seed): tables are created with their primary keys, bulk-loaded, then
-- the CREATE INDEX / ALTER TABLE statements below each table run (indexes built after the load).
CREATE SCHEMA IF NOT EXISTS registry;
CREATE SCHEMA IF NOT EXISTS registry_truth;

CREATE TABLE registry.citizen (
    citizen_id       bigint PRIMARY KEY,
    given_name       varchar(60) NOT NULL,
    family_name      varchar(60) NOT NULL,
    date_of_birth    date NOT NULL,
    sex              char(1) NOT NULL,          -- F, M, U (not known)
    ni_number        varchar(9),                -- National Insurance number, may be missing
    uprn             bigint,                    -- property of the current address
    address_line     varchar(120),
    postcode         varchar(8),
    ward             varchar(40),
    health_opt_out   boolean NOT NULL DEFAULT false,  -- national data opt-out
    date_of_death    date
);

CREATE INDEX citizen_born ON registry.citizen (date_of_birth);  -- cohorts by age

CREATE TABLE registry.person_link (
    department    varchar(16) NOT NULL,         -- health, socialcare, education, housing
    local_id      bigint NOT NULL,              -- the department's own record id
    citizen_id    bigint NOT NULL,
    match_method  varchar(16) NOT NULL,         -- deterministic, probabilistic, manual
    PRIMARY KEY (department, local_id)
);
ALTER TABLE registry.person_link
    ADD CONSTRAINT person_link_citizen_id_department_key UNIQUE (citizen_id, department);

-- Ground truth of the linkage, written by the generator to score linkage later.
-- Not granted to the Trino reader account.
CREATE TABLE registry_truth.link_truth (
    department  varchar(16) NOT NULL,
    local_id    bigint NOT NULL,
    citizen_id  bigint NOT NULL,
    PRIMARY KEY (department, local_id)
);
