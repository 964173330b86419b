SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1",
  "l2"."local_id" AS "c2",
  "l3"."local_id" AS "c3",
  "l4"."local_id" AS "c4"
FROM "registry"."registry"."citizen" AS "t"
LEFT JOIN "registry"."registry"."person_link" AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'health'
  AND "l1"."primary_record" = TRUE
  AND "l1"."citizen_id" IN (42)
LEFT JOIN "registry"."registry"."person_link" AS "l2"
  ON "l2"."citizen_id" = "t"."citizen_id"
  AND "l2"."department" = 'socialcare'
  AND "l2"."primary_record" = TRUE
  AND "l2"."citizen_id" IN (42)
LEFT JOIN "registry"."registry"."person_link" AS "l3"
  ON "l3"."citizen_id" = "t"."citizen_id"
  AND "l3"."department" = 'education'
  AND "l3"."primary_record" = TRUE
  AND "l3"."citizen_id" IN (42)
LEFT JOIN "registry"."registry"."person_link" AS "l4"
  ON "l4"."citizen_id" = "t"."citizen_id"
  AND "l4"."department" = 'housing'
  AND "l4"."primary_record" = TRUE
  AND "l4"."citizen_id" IN (42)
WHERE
  "t"."citizen_id" = 42;

SET VARIABLE citizen_gateway_keys_1 = (
  WITH "r8" AS (
    SELECT
      "t"."case_id" AS "case_id",
      "t"."category_of_need" AS "category_of_need",
      "t"."client_id" AS "client_id",
      "t"."opened_on" AS "opened_on",
      "t"."service" AS "service",
      "t"."status" AS "status",
      "t"."team" AS "team",
      ROW_NUMBER() OVER (PARTITION BY "t"."client_id" ORDER BY "t"."opened_on" DESC, "t"."case_id" ASC) AS "__rank"
    FROM "socialcare"."socialcare"."social_case" AS "t"
    WHERE
      "t"."client_id" IN (1001, 2001)
  )
  SELECT
    COALESCE(
      NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(CAST("s"."x" AS BIGINT)))), ', '), ''),
      'NULL'
    )
  FROM (
    SELECT
      "r8"."case_id"
    FROM "r8" AS "r8"
  ) AS "s"("x")
  WHERE
    NOT "s"."x" IS NULL
);
SET VARIABLE citizen_gateway_keys_2 = (
  WITH "r22" AS (
    SELECT
      "t"."end_date" AS "end_date",
      "t"."start_date" AS "start_date",
      "t"."tenancy_id" AS "tenancy_id",
      "t"."tenant_id" AS "tenant_id",
      "t"."tenure" AS "tenure",
      ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
    FROM "housing"."housing"."tenancy" AS "t"
    WHERE
      "t"."tenant_id" IN (1003, 2003)
  )
  SELECT
    COALESCE(
      NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(CAST("s"."x" AS BIGINT)))), ', '), ''),
      'NULL'
    )
  FROM (
    SELECT
      "r22"."tenancy_id"
    FROM "r22" AS "r22"
  ) AS "s"("x")
  WHERE
    NOT "s"."x" IS NULL
);
WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id",
    "t"."date_of_birth" AS "date_of_birth",
    "t"."family_name" AS "family_name",
    "t"."given_name" AS "given_name",
    "t"."health_opt_out" AS "health_opt_out",
    "t"."postcode" AS "postcode",
    "t"."sex" AS "sex",
    "t"."ward" AS "ward"
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."gp_practice_code" AS "gp_practice_code",
    "t"."nhs_number" AS "nhs_number",
    "t"."patient_id" AS "patient_id"
  FROM "health"."health"."patient" AS "t"
  WHERE
    "t"."patient_id" IN (1000)
), "r3" AS (
  SELECT
    "t"."code_system" AS "code_system",
    "t"."diagnosis_code" AS "diagnosis_code",
    "t"."diagnosis_text" AS "diagnosis_text",
    "t"."encounter_date" AS "encounter_date",
    "t"."encounter_id" AS "encounter_id",
    "t"."patient_id" AS "patient_id",
    "t"."setting" AS "setting",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."patient_id"
      ORDER BY "t"."encounter_date" DESC, "t"."encounter_id" ASC
    ) AS "__rank"
  FROM "health"."health"."encounter" AS "t"
  WHERE
    "t"."patient_id" IN (1000)
), "a4" AS (
  SELECT
    "r3"."patient_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r3"."encounter_date" AS TEXT), CASE "r3"."setting"
        WHEN 'gp'
        THEN 'GP'
        WHEN 'emergency'
        THEN 'EMERGENCY'
        WHEN 'inpatient'
        THEN 'INPATIENT'
        WHEN 'outpatient'
        THEN 'OUTPATIENT'
        WHEN 'community'
        THEN 'COMMUNITY'
      END, CASE "r3"."code_system" WHEN 'ICD-10' THEN 'ICD_10' WHEN 'SNOMED' THEN 'SNOMED' END, CAST("r3"."diagnosis_code" AS TEXT), CAST("r3"."diagnosis_text" AS TEXT)) AS STRUCT(
        "encounterDate" TEXT,
        "setting" TEXT,
        "codeSystem" TEXT,
        "diagnosisCode" TEXT,
        "diagnosisText" TEXT
      )) ORDER BY "r3"."encounter_date" DESC, "r3"."encounter_id" ASC
    ) AS "__items"
  FROM "r3"
  WHERE
    "r3"."__rank" <= 5
  GROUP BY
    "r3"."patient_id"
), "r5" AS (
  SELECT
    "t"."dose" AS "dose",
    "t"."is_repeat" AS "is_repeat",
    "t"."medication" AS "medication",
    "t"."patient_id" AS "patient_id",
    "t"."prescribed_on" AS "prescribed_on",
    "t"."prescription_id" AS "prescription_id",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."patient_id"
      ORDER BY "t"."prescribed_on" DESC, "t"."prescription_id" ASC
    ) AS "__rank"
  FROM "health"."health"."prescription" AS "t"
  WHERE
    "t"."patient_id" IN (1000)
), "a6" AS (
  SELECT
    "r5"."patient_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r5"."prescribed_on" AS TEXT), CAST("r5"."medication" AS TEXT), CAST("r5"."dose" AS TEXT), CAST("r5"."is_repeat" AS BOOLEAN)) AS STRUCT("prescribedOn" TEXT, "medication" TEXT, "dose" TEXT, "isRepeat" BOOLEAN)) ORDER BY "r5"."prescribed_on" DESC, "r5"."prescription_id" ASC
    ) AS "__items"
  FROM "r5"
  WHERE
    "r5"."__rank" <= 20
  GROUP BY
    "r5"."patient_id"
), "r7" AS (
  SELECT
    "t"."client_id" AS "client_id"
  FROM "socialcare"."socialcare"."client" AS "t"
  WHERE
    "t"."client_id" IN (1001, 2001)
), "r8" AS (
  SELECT
    "t"."case_id" AS "case_id",
    "t"."category_of_need" AS "category_of_need",
    "t"."client_id" AS "client_id",
    "t"."opened_on" AS "opened_on",
    "t"."service" AS "service",
    "t"."status" AS "status",
    "t"."team" AS "team",
    ROW_NUMBER() OVER (PARTITION BY "t"."client_id" ORDER BY "t"."opened_on" DESC, "t"."case_id" ASC) AS "__rank"
  FROM "socialcare"."socialcare"."social_case" AS "t"
  WHERE
    "t"."client_id" IN (1001, 2001)
), "r9" AS (
  SELECT
    "t"."assessed_on" AS "assessed_on",
    "t"."assessment_id" AS "assessment_id",
    "t"."case_id" AS "case_id",
    "t"."outcome" AS "outcome",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."case_id"
      ORDER BY "t"."assessed_on" DESC, "t"."assessment_id" ASC
    ) AS "__rank"
  FROM QUERY(
    'SELECT "t"."assessed_on", "t"."assessment_id", "t"."case_id", "t"."outcome" FROM "socialcare"."socialcare"."assessment" AS "t" WHERE "t"."case_id" IN (' || GETVARIABLE('citizen_gateway_keys_1') || ')'
  ) AS "t"
), "a10" AS (
  SELECT
    "r9"."case_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r9"."assessed_on" AS TEXT), CAST("r9"."outcome" AS TEXT)) AS STRUCT("assessedOn" TEXT, "outcome" TEXT)) ORDER BY "r9"."assessed_on" DESC, "r9"."assessment_id" ASC
    ) AS "__items"
  FROM "r9"
  WHERE
    "r9"."__rank" <= 20
  GROUP BY
    "r9"."case_id"
), "a11" AS (
  SELECT
    "r8"."client_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r8"."case_id" AS TEXT), CASE "r8"."service" WHEN 'children' THEN 'CHILDREN' WHEN 'adults' THEN 'ADULTS' END, CAST("r8"."team" AS TEXT), CASE "r8"."status" WHEN 'open' THEN 'OPEN' WHEN 'closed' THEN 'CLOSED' END, CAST("r8"."opened_on" AS TEXT), CAST("r8"."category_of_need" AS TEXT), COALESCE("a10"."__items", CAST([] AS STRUCT("assessedOn" TEXT, "outcome" TEXT)[]))) AS STRUCT(
        "caseId" TEXT,
        "service" TEXT,
        "team" TEXT,
        "status" TEXT,
        "openedOn" TEXT,
        "categoryOfNeed" TEXT,
        "assessments" STRUCT("assessedOn" TEXT, "outcome" TEXT)[]
      )) ORDER BY "r8"."opened_on" DESC, "r8"."case_id" ASC
    ) AS "__items"
  FROM "r8"
  LEFT JOIN "a10"
    ON "a10"."__parent" = "r8"."case_id"
  WHERE
    "r8"."__rank" <= 20
  GROUP BY
    "r8"."client_id"
), "r12" AS (
  SELECT
    "t"."active" AS "active",
    "t"."client_id" AS "client_id",
    "t"."flag_id" AS "flag_id",
    "t"."flag_type" AS "flag_type",
    "t"."raised_on" AS "raised_on",
    ROW_NUMBER() OVER (PARTITION BY "t"."client_id" ORDER BY "t"."raised_on" DESC, "t"."flag_id" ASC) AS "__rank"
  FROM "socialcare"."socialcare"."safeguarding_flag" AS "t"
  WHERE
    "t"."client_id" IN (1001, 2001)
), "a13" AS (
  SELECT
    "r12"."client_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r12"."flag_type" AS TEXT), CAST("r12"."raised_on" AS TEXT), CAST("r12"."active" AS BOOLEAN)) AS STRUCT("flagType" TEXT, "raisedOn" TEXT, "active" BOOLEAN)) ORDER BY "r12"."raised_on" DESC, "r12"."flag_id" ASC
    ) AS "__items"
  FROM "r12"
  WHERE
    "r12"."__rank" <= 20
  GROUP BY
    "r12"."client_id"
), "r14" AS (
  SELECT
    "t"."free_school_meals" AS "free_school_meals",
    "t"."pupil_id" AS "pupil_id",
    "t"."sen_provision" AS "sen_provision",
    "t"."upn" AS "upn"
  FROM "education"."education"."pupil" AS "t"
  WHERE
    "t"."pupil_id" IN (1002)
), "r15" AS (
  SELECT
    "t"."enrolment_id" AS "enrolment_id",
    "t"."entry_date" AS "entry_date",
    "t"."pupil_id" AS "pupil_id",
    "t"."school_name" AS "school_name",
    "t"."year_group" AS "year_group",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."pupil_id"
      ORDER BY "t"."entry_date" DESC, "t"."enrolment_id" ASC
    ) AS "__rank"
  FROM "education"."education"."enrolment" AS "t"
  WHERE
    "t"."pupil_id" IN (1002)
), "a16" AS (
  SELECT
    "r15"."pupil_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r15"."school_name" AS TEXT), CAST("r15"."entry_date" AS TEXT), CAST("r15"."year_group" AS INT)) AS STRUCT("schoolName" TEXT, "entryDate" TEXT, "yearGroup" INT)) ORDER BY "r15"."entry_date" DESC, "r15"."enrolment_id" ASC
    ) AS "__items"
  FROM "r15"
  WHERE
    "r15"."__rank" <= 20
  GROUP BY
    "r15"."pupil_id"
), "r17" AS (
  SELECT
    "t"."academic_year" AS "academic_year",
    "t"."attendance_id" AS "attendance_id",
    "t"."attended_sessions" AS "attended_sessions",
    "t"."possible_sessions" AS "possible_sessions",
    "t"."pupil_id" AS "pupil_id",
    "t"."term" AS "term",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."pupil_id"
      ORDER BY "t"."academic_year" DESC, "t"."term" ASC, "t"."attendance_id" ASC
    ) AS "__rank"
  FROM "education"."education"."attendance" AS "t"
  WHERE
    "t"."pupil_id" IN (1002)
), "a18" AS (
  SELECT
    "r17"."pupil_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r17"."academic_year" AS TEXT), CASE "r17"."term"
        WHEN 'autumn'
        THEN 'AUTUMN'
        WHEN 'spring'
        THEN 'SPRING'
        WHEN 'summer'
        THEN 'SUMMER'
      END, CAST("r17"."possible_sessions" AS INT), CAST("r17"."attended_sessions" AS INT)) AS STRUCT("academicYear" TEXT, "term" TEXT, "possibleSessions" INT, "attendedSessions" INT)) ORDER BY "r17"."academic_year" DESC, "r17"."term" ASC, "r17"."attendance_id" ASC
    ) AS "__items"
  FROM "r17"
  WHERE
    "r17"."__rank" <= 20
  GROUP BY
    "r17"."pupil_id"
), "r19" AS (
  SELECT
    "t"."exclusion_id" AS "exclusion_id",
    "t"."exclusion_type" AS "exclusion_type",
    "t"."pupil_id" AS "pupil_id",
    "t"."sessions" AS "sessions",
    "t"."start_date" AS "start_date",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."pupil_id"
      ORDER BY "t"."start_date" DESC, "t"."exclusion_id" ASC
    ) AS "__rank"
  FROM "education"."education"."exclusion" AS "t"
  WHERE
    "t"."pupil_id" IN (1002)
), "a20" AS (
  SELECT
    "r19"."pupil_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r19"."start_date" AS TEXT), CASE "r19"."exclusion_type"
        WHEN 'suspension'
        THEN 'SUSPENSION'
        WHEN 'permanent'
        THEN 'PERMANENT'
      END, CAST("r19"."sessions" AS INT)) AS STRUCT("startDate" TEXT, "exclusionType" TEXT, "sessions" INT)) ORDER BY "r19"."start_date" DESC, "r19"."exclusion_id" ASC
    ) AS "__items"
  FROM "r19"
  WHERE
    "r19"."__rank" <= 20
  GROUP BY
    "r19"."pupil_id"
), "r21" AS (
  SELECT
    "t"."tenant_id" AS "tenant_id"
  FROM "housing"."housing"."tenant" AS "t"
  WHERE
    "t"."tenant_id" IN (1003, 2003)
), "r22" AS (
  SELECT
    "t"."end_date" AS "end_date",
    "t"."start_date" AS "start_date",
    "t"."tenancy_id" AS "tenancy_id",
    "t"."tenant_id" AS "tenant_id",
    "t"."tenure" AS "tenure",
    ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
  FROM "housing"."housing"."tenancy" AS "t"
  WHERE
    "t"."tenant_id" IN (1003, 2003)
), "r23" AS (
  SELECT
    "t"."account_id" AS "account_id",
    "t"."arrears_weeks" AS "arrears_weeks",
    "t"."balance" AS "balance",
    "t"."tenancy_id" AS "tenancy_id"
  FROM QUERY(
    'SELECT "t"."account_id", "t"."arrears_weeks", "t"."balance", "t"."tenancy_id" FROM "housing"."housing"."rent_account" AS "t" WHERE "t"."tenancy_id" IN (' || GETVARIABLE('citizen_gateway_keys_2') || ')'
  ) AS "t"
), "r24" AS (
  SELECT
    "t"."category" AS "category",
    "t"."completed_on" AS "completed_on",
    "t"."priority" AS "priority",
    "t"."repair_id" AS "repair_id",
    "t"."reported_on" AS "reported_on",
    "t"."tenancy_id" AS "tenancy_id",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."tenancy_id"
      ORDER BY "t"."reported_on" DESC, "t"."repair_id" ASC
    ) AS "__rank"
  FROM QUERY(
    'SELECT "t"."category", "t"."completed_on", "t"."priority", "t"."repair_id", "t"."reported_on", "t"."tenancy_id" FROM "housing"."housing"."repair" AS "t" WHERE "t"."tenancy_id" IN (' || GETVARIABLE('citizen_gateway_keys_2') || ')'
  ) AS "t"
), "a25" AS (
  SELECT
    "r24"."tenancy_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r24"."reported_on" AS TEXT), CAST("r24"."category" AS TEXT), CASE "r24"."priority"
        WHEN 'emergency'
        THEN 'EMERGENCY'
        WHEN 'urgent'
        THEN 'URGENT'
        WHEN 'routine'
        THEN 'ROUTINE'
      END, CAST("r24"."completed_on" AS TEXT)) AS STRUCT("reportedOn" TEXT, "category" TEXT, "priority" TEXT, "completedOn" TEXT)) ORDER BY "r24"."reported_on" DESC, "r24"."repair_id" ASC
    ) AS "__items"
  FROM "r24"
  WHERE
    "r24"."__rank" <= 20
  GROUP BY
    "r24"."tenancy_id"
), "a26" AS (
  SELECT
    "r22"."tenant_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CASE "r22"."tenure"
        WHEN 'secure'
        THEN 'SECURE'
        WHEN 'introductory'
        THEN 'INTRODUCTORY'
        WHEN 'flexible'
        THEN 'FLEXIBLE'
      END, CAST("r22"."start_date" AS TEXT), CAST("r22"."end_date" AS TEXT), CASE
        WHEN NOT "r23"."account_id" IS NULL
        THEN CAST(ROW(CAST("r23"."balance" AS DOUBLE), CAST("r23"."arrears_weeks" AS INT)) AS STRUCT("balance" DOUBLE, "arrearsWeeks" INT))
        ELSE NULL
      END, COALESCE(
        "a25"."__items",
        CAST([] AS STRUCT("reportedOn" TEXT, "category" TEXT, "priority" TEXT, "completedOn" TEXT)[])
      )) AS STRUCT(
        "tenure" TEXT,
        "startDate" TEXT,
        "endDate" TEXT,
        "rentAccount" STRUCT("balance" DOUBLE, "arrearsWeeks" INT),
        "repairs" STRUCT("reportedOn" TEXT, "category" TEXT, "priority" TEXT, "completedOn" TEXT)[]
      )) ORDER BY "r22"."start_date" DESC, "r22"."tenancy_id" ASC
    ) AS "__items"
  FROM "r22"
  LEFT JOIN "r23"
    ON "r23"."tenancy_id" = "r22"."tenancy_id"
  LEFT JOIN "a25"
    ON "a25"."__parent" = "r22"."tenancy_id"
  WHERE
    "r22"."__rank" <= 20
  GROUP BY
    "r22"."tenant_id"
)
SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST("r1"."citizen_id" AS TEXT), CAST("r1"."given_name" AS TEXT), CAST("r1"."family_name" AS TEXT), CAST("r1"."date_of_birth" AS TEXT), CASE "r1"."sex" WHEN 'F' THEN 'F' WHEN 'M' THEN 'M' WHEN 'U' THEN 'U' END, CAST("r1"."postcode" AS TEXT), CAST("r1"."ward" AS TEXT), CAST("r1"."health_opt_out" AS BOOLEAN), CASE
      WHEN NOT "r2"."patient_id" IS NULL
      THEN CAST(ROW(CAST("r2"."nhs_number" AS TEXT), CAST("r2"."gp_practice_code" AS TEXT), COALESCE(
        "a4"."__items",
        CAST([] AS STRUCT(
          "encounterDate" TEXT,
          "setting" TEXT,
          "codeSystem" TEXT,
          "diagnosisCode" TEXT,
          "diagnosisText" TEXT
        )[])
      ), COALESCE(
        "a6"."__items",
        CAST([] AS STRUCT("prescribedOn" TEXT, "medication" TEXT, "dose" TEXT, "isRepeat" BOOLEAN)[])
      )) AS STRUCT(
        "nhsNumber" TEXT,
        "gpPracticeCode" TEXT,
        "encounters" STRUCT(
          "encounterDate" TEXT,
          "setting" TEXT,
          "codeSystem" TEXT,
          "diagnosisCode" TEXT,
          "diagnosisText" TEXT
        )[],
        "prescriptions" STRUCT("prescribedOn" TEXT, "medication" TEXT, "dose" TEXT, "isRepeat" BOOLEAN)[]
      ))
      ELSE NULL
    END, CASE
      WHEN NOT "r7"."client_id" IS NULL
      THEN CAST(ROW(CAST("r7"."client_id" AS TEXT), COALESCE(
        "a11"."__items",
        CAST([] AS STRUCT(
          "caseId" TEXT,
          "service" TEXT,
          "team" TEXT,
          "status" TEXT,
          "openedOn" TEXT,
          "categoryOfNeed" TEXT,
          "assessments" STRUCT("assessedOn" TEXT, "outcome" TEXT)[]
        )[])
      ), COALESCE(
        "a13"."__items",
        CAST([] AS STRUCT("flagType" TEXT, "raisedOn" TEXT, "active" BOOLEAN)[])
      )) AS STRUCT(
        "clientId" TEXT,
        "cases" STRUCT(
          "caseId" TEXT,
          "service" TEXT,
          "team" TEXT,
          "status" TEXT,
          "openedOn" TEXT,
          "categoryOfNeed" TEXT,
          "assessments" STRUCT("assessedOn" TEXT, "outcome" TEXT)[]
        )[],
        "safeguardingFlags" STRUCT("flagType" TEXT, "raisedOn" TEXT, "active" BOOLEAN)[]
      ))
      ELSE NULL
    END, CASE
      WHEN NOT "r14"."pupil_id" IS NULL
      THEN CAST(ROW(CAST("r14"."upn" AS TEXT), CASE "r14"."sen_provision"
        WHEN 'none'
        THEN 'NONE'
        WHEN 'sen_support'
        THEN 'SEN_SUPPORT'
        WHEN 'ehc_plan'
        THEN 'EHC_PLAN'
      END, CAST("r14"."free_school_meals" AS BOOLEAN), COALESCE(
        "a16"."__items",
        CAST([] AS STRUCT("schoolName" TEXT, "entryDate" TEXT, "yearGroup" INT)[])
      ), COALESCE(
        "a18"."__items",
        CAST([] AS STRUCT("academicYear" TEXT, "term" TEXT, "possibleSessions" INT, "attendedSessions" INT)[])
      ), COALESCE(
        "a20"."__items",
        CAST([] AS STRUCT("startDate" TEXT, "exclusionType" TEXT, "sessions" INT)[])
      )) AS STRUCT(
        "upn" TEXT,
        "senProvision" TEXT,
        "freeSchoolMeals" BOOLEAN,
        "enrolments" STRUCT("schoolName" TEXT, "entryDate" TEXT, "yearGroup" INT)[],
        "attendance" STRUCT("academicYear" TEXT, "term" TEXT, "possibleSessions" INT, "attendedSessions" INT)[],
        "exclusions" STRUCT("startDate" TEXT, "exclusionType" TEXT, "sessions" INT)[]
      ))
      ELSE NULL
    END, CASE
      WHEN NOT "r21"."tenant_id" IS NULL
      THEN CAST(ROW(COALESCE(
        "a26"."__items",
        CAST([] AS STRUCT(
          "tenure" TEXT,
          "startDate" TEXT,
          "endDate" TEXT,
          "rentAccount" STRUCT("balance" DOUBLE, "arrearsWeeks" INT),
          "repairs" STRUCT("reportedOn" TEXT, "category" TEXT, "priority" TEXT, "completedOn" TEXT)[]
        )[])
      )) AS STRUCT(
        "tenancies" STRUCT(
          "tenure" TEXT,
          "startDate" TEXT,
          "endDate" TEXT,
          "rentAccount" STRUCT("balance" DOUBLE, "arrearsWeeks" INT),
          "repairs" STRUCT("reportedOn" TEXT, "category" TEXT, "priority" TEXT, "completedOn" TEXT)[]
        )[]
      ))
      ELSE NULL
    END) AS STRUCT(
      "id" TEXT,
      "givenName" TEXT,
      "familyName" TEXT,
      "dateOfBirth" TEXT,
      "sex" TEXT,
      "postcode" TEXT,
      "ward" TEXT,
      "healthOptOut" BOOLEAN,
      "health" STRUCT(
        "nhsNumber" TEXT,
        "gpPracticeCode" TEXT,
        "encounters" STRUCT(
          "encounterDate" TEXT,
          "setting" TEXT,
          "codeSystem" TEXT,
          "diagnosisCode" TEXT,
          "diagnosisText" TEXT
        )[],
        "prescriptions" STRUCT("prescribedOn" TEXT, "medication" TEXT, "dose" TEXT, "isRepeat" BOOLEAN)[]
      ),
      "socialCare" STRUCT(
        "clientId" TEXT,
        "cases" STRUCT(
          "caseId" TEXT,
          "service" TEXT,
          "team" TEXT,
          "status" TEXT,
          "openedOn" TEXT,
          "categoryOfNeed" TEXT,
          "assessments" STRUCT("assessedOn" TEXT, "outcome" TEXT)[]
        )[],
        "safeguardingFlags" STRUCT("flagType" TEXT, "raisedOn" TEXT, "active" BOOLEAN)[]
      ),
      "education" STRUCT(
        "upn" TEXT,
        "senProvision" TEXT,
        "freeSchoolMeals" BOOLEAN,
        "enrolments" STRUCT("schoolName" TEXT, "entryDate" TEXT, "yearGroup" INT)[],
        "attendance" STRUCT("academicYear" TEXT, "term" TEXT, "possibleSessions" INT, "attendedSessions" INT)[],
        "exclusions" STRUCT("startDate" TEXT, "exclusionType" TEXT, "sessions" INT)[]
      ),
      "housing" STRUCT(
        "tenancies" STRUCT(
          "tenure" TEXT,
          "startDate" TEXT,
          "endDate" TEXT,
          "rentAccount" STRUCT("balance" DOUBLE, "arrearsWeeks" INT),
          "repairs" STRUCT("reportedOn" TEXT, "category" TEXT, "priority" TEXT, "completedOn" TEXT)[]
        )[]
      )
    )) AS JSON)
  ) AS TEXT) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000, 1001, 1002, 1003),
    (1, 43, CAST(NULL AS BIGINT), 2001, CAST(NULL AS BIGINT), 2003)
) AS "m"("position", "citizen", "link_health", "link_socialcare", "link_education", "link_housing")
JOIN "r1"
  ON "r1"."citizen_id" = "m"."citizen"
LEFT JOIN "r2"
  ON "r2"."patient_id" = "m"."link_health"
LEFT JOIN "a4"
  ON "a4"."__parent" = "r2"."patient_id"
LEFT JOIN "a6"
  ON "a6"."__parent" = "r2"."patient_id"
LEFT JOIN "r7"
  ON "r7"."client_id" = "m"."link_socialcare"
LEFT JOIN "a11"
  ON "a11"."__parent" = "r7"."client_id"
LEFT JOIN "a13"
  ON "a13"."__parent" = "r7"."client_id"
LEFT JOIN "r14"
  ON "r14"."pupil_id" = "m"."link_education"
LEFT JOIN "a16"
  ON "a16"."__parent" = "r14"."pupil_id"
LEFT JOIN "a18"
  ON "a18"."__parent" = "r14"."pupil_id"
LEFT JOIN "a20"
  ON "a20"."__parent" = "r14"."pupil_id"
LEFT JOIN "r21"
  ON "r21"."tenant_id" = "m"."link_housing"
LEFT JOIN "a26"
  ON "a26"."__parent" = "r21"."tenant_id";
