-- Education (MariaDB, database education): pupils, enrolments, attendance, exclusions.
-- Loading (citizen-gateway seed): tables are created with their primary keys, bulk-loaded, then
-- the CREATE INDEX / ALTER TABLE statements below each table run (indexes built after the load).
CREATE TABLE pupil (
    pupil_id           BIGINT PRIMARY KEY,
    upn                CHAR(13),                    -- unique pupil number: check letter + 12 digits
    given_name         VARCHAR(60) NOT NULL,
    family_name        VARCHAR(60) NOT NULL,
    date_of_birth      DATE,
    postcode           VARCHAR(8),
    sen_provision      VARCHAR(12) NOT NULL,        -- none, sen_support, ehc_plan
    free_school_meals  BOOLEAN NOT NULL
);

CREATE TABLE enrolment (
    enrolment_id  BIGINT PRIMARY KEY,
    pupil_id      BIGINT NOT NULL,
    school_urn    INT NOT NULL,                     -- unique reference number of the school
    school_name   VARCHAR(80) NOT NULL,
    entry_date    DATE NOT NULL,
    leaving_date  DATE,
    year_group    INT NOT NULL
);
CREATE INDEX enrolment_pupil ON enrolment (pupil_id);

CREATE TABLE attendance (
    attendance_id           BIGINT PRIMARY KEY,
    pupil_id                BIGINT NOT NULL,
    academic_year           VARCHAR(7) NOT NULL,    -- e.g. 2025/26
    term                    VARCHAR(6) NOT NULL,    -- autumn, spring, summer
    possible_sessions       INT NOT NULL,           -- AM and PM sessions
    attended_sessions       INT NOT NULL,
    authorised_absences     INT NOT NULL,
    unauthorised_absences   INT NOT NULL
);
CREATE INDEX attendance_pupil ON attendance (pupil_id);
CREATE INDEX attendance_unauthorised ON attendance (unauthorised_absences);  -- persistent absence

CREATE TABLE exclusion (
    exclusion_id    BIGINT PRIMARY KEY,
    pupil_id        BIGINT NOT NULL,
    start_date      DATE NOT NULL,
    exclusion_type  VARCHAR(10) NOT NULL,           -- suspension, permanent
    sessions        INT NOT NULL,
    reason          VARCHAR(60) NOT NULL
);
CREATE INDEX exclusion_pupil ON exclusion (pupil_id);
CREATE INDEX exclusion_start ON exclusion (start_date);
