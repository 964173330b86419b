-- Health (PostgreSQL): GP registrations, encounters, prescriptions.
-- Loading (citizen-gateway seed): tables are created with their primary keys, bulk-loaded, then
-- the CREATE INDEX / ALTER TABLE statements below each table run (indexes built after the load).
CREATE SCHEMA IF NOT EXISTS health;

CREATE TABLE health.patient (
    patient_id        bigint PRIMARY KEY,
    nhs_number        char(10),                 -- 10 digits, modulus-11 check digit; may be missing
    given_name        varchar(60) NOT NULL,
    family_name       varchar(60) NOT NULL,
    date_of_birth     date,
    sex               char(1),
    postcode          varchar(8),
    gp_practice_code  varchar(6),               -- ODS code of the registered practice, e.g. M85001
    registered_on     date
);

CREATE TABLE health.encounter (
    encounter_id    bigint PRIMARY KEY,
    patient_id      bigint NOT NULL,
    encounter_date  date NOT NULL,
    setting         varchar(16) NOT NULL,       -- gp, emergency, inpatient, outpatient, community
    code_system     varchar(8) NOT NULL,        -- ICD-10 or SNOMED
    diagnosis_code  varchar(18) NOT NULL,
    diagnosis_text  varchar(120) NOT NULL
);
CREATE INDEX encounter_patient ON health.encounter (patient_id, encounter_date);
-- for cohorts: encounters of a setting since a date, any encounter since a date
CREATE INDEX encounter_setting ON health.encounter (setting, encounter_date);
CREATE INDEX encounter_date ON health.encounter (encounter_date);

CREATE TABLE health.prescription (
    prescription_id  bigint PRIMARY KEY,
    patient_id       bigint NOT NULL,
    prescribed_on    date NOT NULL,
    medication       varchar(80) NOT NULL,
    dose             varchar(40) NOT NULL,
    is_repeat        boolean NOT NULL
);
CREATE INDEX prescription_patient ON health.prescription (patient_id, prescribed_on);
