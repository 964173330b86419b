-- Social care (MariaDB, database socialcare): clients, cases, assessments, safeguarding flags.
-- Keys are integers: Trino's MariaDB connector pushes down no predicate on CHAR/VARCHAR.
-- Loading (citizen-gateway seed): tables are created with their primary keys, bulk-loaded, then
-- the CREATE INDEX / ALTER TABLE statements below each table run (indexes built after the load).
CREATE TABLE client (
    client_id      BIGINT PRIMARY KEY,
    given_name     VARCHAR(60) NOT NULL,
    family_name    VARCHAR(60) NOT NULL,
    date_of_birth  DATE,
    postcode       VARCHAR(8),
    nhs_number     CHAR(10)
);

CREATE TABLE social_case (
    case_id                 BIGINT PRIMARY KEY,
    client_id               BIGINT NOT NULL,
    service                 VARCHAR(8) NOT NULL,    -- children, adults
    team                    VARCHAR(24) NOT NULL,   -- owning team, e.g. north-children
    status                  VARCHAR(8) NOT NULL,    -- open, closed
    opened_on               DATE NOT NULL,
    closed_on               DATE,
    category_of_need        CHAR(2),                -- children: N1..N9
    primary_support_reason  VARCHAR(40)             -- adults
);
CREATE INDEX social_case_client ON social_case (client_id);
CREATE INDEX social_case_status ON social_case (status, service);  -- cohorts: open cases

CREATE TABLE assessment (
    assessment_id    BIGINT PRIMARY KEY,
    case_id          BIGINT NOT NULL,
    assessed_on      DATE NOT NULL,
    assessment_type  VARCHAR(32) NOT NULL,          -- child and family, care act needs, carer's, ...
    outcome          VARCHAR(32) NOT NULL
);
CREATE INDEX assessment_case ON assessment (case_id);

CREATE TABLE safeguarding_flag (
    flag_id    BIGINT PRIMARY KEY,
    client_id  BIGINT NOT NULL,
    flag_type  VARCHAR(32) NOT NULL,                -- child protection plan, domestic abuse, ...
    raised_on  DATE NOT NULL,
    active     BOOLEAN NOT NULL
);
CREATE INDEX safeguarding_flag_client ON safeguarding_flag (client_id);
CREATE INDEX safeguarding_flag_type ON safeguarding_flag (flag_type, active);
