-- Registry (PostgreSQL): the council's master person index.
-- citizen: one row per person known to the council; person_link: which local record in each
-- department belongs to which citizen (at most one primary link per department and citizen),
-- written by `citizen-gateway link` with the evidence for it; link_review, link_decision and
-- link_model: its clerical review queue, the reviewers' decisions and the trained models.
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
    match_probability double precision,         -- the model's, NULL when no model scored it
    match_weight  double precision,             -- log2 Bayes factor of the evidence
    model_version varchar(64),                  -- link_model.model_version, NULL when manual
    linked_at     timestamp,
    -- the citizen's record of the department the view shows; a department's second record of
    -- the same person (a duplicate registration) is linked too, not primary
    primary_record boolean NOT NULL DEFAULT true,
    PRIMARY KEY (department, local_id)
);
CREATE UNIQUE INDEX person_link_primary ON registry.person_link (citizen_id, department)
    WHERE primary_record;
CREATE INDEX person_link_citizen ON registry.person_link (citizen_id, department);  -- reads

-- Candidate links the model was not sure of, for a reviewer: the best and second citizen.
CREATE TABLE registry.link_review (
    department          varchar(16) NOT NULL,
    local_id            bigint NOT NULL,
    citizen_id          bigint NOT NULL,        -- the best candidate
    match_probability   double precision,       -- NULL for a disputed manual link
    match_weight        double precision,
    second_citizen_id   bigint,                 -- the next best candidate, if any
    second_probability  double precision,
    second_weight       double precision,
    reason              varchar(200) NOT NULL,
    model_version       varchar(64) NOT NULL,
    queued_at           timestamp NOT NULL,
    PRIMARY KEY (department, local_id)
);

-- What reviewers decided about a pair; wins over the model on every later run.
CREATE TABLE registry.link_decision (
    department  varchar(16) NOT NULL,
    local_id    bigint NOT NULL,
    citizen_id  bigint NOT NULL,
    decision    varchar(8) NOT NULL,            -- accept, reject, dispute
    reviewer    varchar(120) NOT NULL,
    reason      varchar(400) NOT NULL,
    decided_at  timestamp NOT NULL,
    PRIMARY KEY (department, local_id, citizen_id)
);

-- Each trained linkage model (Splink settings with its m and u probabilities), for review.
CREATE TABLE registry.link_model (
    model_version  varchar(64) PRIMARY KEY,
    department     varchar(16) NOT NULL,
    trained_at     timestamp NOT NULL,
    records        bigint NOT NULL,             -- department records it linked
    settings       text NOT NULL                -- Splink's model JSON
);

-- Ground truth of the linkage, written by the generator to score linkage later.
-- Not granted to the Trino reader account.
CREATE TABLE registry_truth.link_truth (
    department  varchar(16) NOT NULL,
    local_id    bigint NOT NULL,
    citizen_id  bigint NOT NULL,
    PRIMARY KEY (department, local_id)
);
