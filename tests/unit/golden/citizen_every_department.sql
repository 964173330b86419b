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
LEFT JOIN "registry"."registry"."person_link" AS "l2"
  ON "l2"."citizen_id" = "t"."citizen_id"
  AND "l2"."department" = 'socialcare'
  AND "l2"."primary_record" = TRUE
LEFT JOIN "registry"."registry"."person_link" AS "l3"
  ON "l3"."citizen_id" = "t"."citizen_id"
  AND "l3"."department" = 'education'
  AND "l3"."primary_record" = TRUE
LEFT JOIN "registry"."registry"."person_link" AS "l4"
  ON "l4"."citizen_id" = "t"."citizen_id"
  AND "l4"."department" = 'housing'
  AND "l4"."primary_record" = TRUE
WHERE
  "t"."citizen_id" = 42;

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
      CAST(ROW(
        CAST("r3"."encounter_date" AS VARCHAR),
        CASE "r3"."setting"
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
        END,
        CASE "r3"."code_system" WHEN 'ICD-10' THEN 'ICD_10' WHEN 'SNOMED' THEN 'SNOMED' END,
        CAST("r3"."diagnosis_code" AS VARCHAR),
        CAST("r3"."diagnosis_text" AS VARCHAR)
      ) AS ROW(
        "encounterDate" VARCHAR,
        "setting" VARCHAR,
        "codeSystem" VARCHAR,
        "diagnosisCode" VARCHAR,
        "diagnosisText" VARCHAR
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
      CAST(ROW(
        CAST("r5"."prescribed_on" AS VARCHAR),
        CAST("r5"."medication" AS VARCHAR),
        CAST("r5"."dose" AS VARCHAR),
        CAST("r5"."is_repeat" AS BOOLEAN)
      ) AS ROW("prescribedOn" VARCHAR, "medication" VARCHAR, "dose" VARCHAR, "isRepeat" BOOLEAN)) ORDER BY "r5"."prescribed_on" DESC, "r5"."prescription_id" ASC
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
  FROM "socialcare"."socialcare"."assessment" AS "t"
  WHERE
    "t"."case_id" IN (
      SELECT
        "r8"."case_id"
      FROM "r8" AS "r8"
    )
), "a10" AS (
  SELECT
    "r9"."case_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r9"."assessed_on" AS VARCHAR), CAST("r9"."outcome" AS VARCHAR)) AS ROW("assessedOn" VARCHAR, "outcome" VARCHAR)) ORDER BY "r9"."assessed_on" DESC, "r9"."assessment_id" ASC
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
      CAST(ROW(
        CAST("r8"."case_id" AS VARCHAR),
        CASE "r8"."service" WHEN 'children' THEN 'CHILDREN' WHEN 'adults' THEN 'ADULTS' END,
        CAST("r8"."team" AS VARCHAR),
        CASE "r8"."status" WHEN 'open' THEN 'OPEN' WHEN 'closed' THEN 'CLOSED' END,
        CAST("r8"."opened_on" AS VARCHAR),
        CAST("r8"."category_of_need" AS VARCHAR),
        COALESCE(
          "a10"."__items",
          CAST(ARRAY[] AS ARRAY(ROW("assessedOn" VARCHAR, "outcome" VARCHAR)))
        )
      ) AS ROW(
        "caseId" VARCHAR,
        "service" VARCHAR,
        "team" VARCHAR,
        "status" VARCHAR,
        "openedOn" VARCHAR,
        "categoryOfNeed" VARCHAR,
        "assessments" ARRAY(ROW("assessedOn" VARCHAR, "outcome" VARCHAR))
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
      CAST(ROW(
        CAST("r12"."flag_type" AS VARCHAR),
        CAST("r12"."raised_on" AS VARCHAR),
        CAST("r12"."active" AS BOOLEAN)
      ) AS ROW("flagType" VARCHAR, "raisedOn" VARCHAR, "active" BOOLEAN)) ORDER BY "r12"."raised_on" DESC, "r12"."flag_id" ASC
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
      CAST(ROW(
        CAST("r15"."school_name" AS VARCHAR),
        CAST("r15"."entry_date" AS VARCHAR),
        CAST("r15"."year_group" AS INTEGER)
      ) AS ROW("schoolName" VARCHAR, "entryDate" VARCHAR, "yearGroup" INTEGER)) ORDER BY "r15"."entry_date" DESC, "r15"."enrolment_id" ASC
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
      CAST(ROW(
        CAST("r17"."academic_year" AS VARCHAR),
        CASE "r17"."term"
          WHEN 'autumn'
          THEN 'AUTUMN'
          WHEN 'spring'
          THEN 'SPRING'
          WHEN 'summer'
          THEN 'SUMMER'
        END,
        CAST("r17"."possible_sessions" AS INTEGER),
        CAST("r17"."attended_sessions" AS INTEGER)
      ) AS ROW(
        "academicYear" VARCHAR,
        "term" VARCHAR,
        "possibleSessions" INTEGER,
        "attendedSessions" INTEGER
      )) ORDER BY "r17"."academic_year" DESC, "r17"."term" ASC, "r17"."attendance_id" ASC
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
      CAST(ROW(
        CAST("r19"."start_date" AS VARCHAR),
        CASE "r19"."exclusion_type"
          WHEN 'suspension'
          THEN 'SUSPENSION'
          WHEN 'permanent'
          THEN 'PERMANENT'
        END,
        CAST("r19"."sessions" AS INTEGER)
      ) AS ROW("startDate" VARCHAR, "exclusionType" VARCHAR, "sessions" INTEGER)) ORDER BY "r19"."start_date" DESC, "r19"."exclusion_id" ASC
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
  FROM "housing"."housing"."rent_account" AS "t"
  WHERE
    "t"."tenancy_id" IN (
      SELECT
        "r22"."tenancy_id"
      FROM "r22" AS "r22"
    )
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
  FROM "housing"."housing"."repair" AS "t"
  WHERE
    "t"."tenancy_id" IN (
      SELECT
        "r22"."tenancy_id"
      FROM "r22" AS "r22"
    )
), "a25" AS (
  SELECT
    "r24"."tenancy_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r24"."reported_on" AS VARCHAR),
        CAST("r24"."category" AS VARCHAR),
        CASE "r24"."priority"
          WHEN 'emergency'
          THEN 'EMERGENCY'
          WHEN 'urgent'
          THEN 'URGENT'
          WHEN 'routine'
          THEN 'ROUTINE'
        END,
        CAST("r24"."completed_on" AS VARCHAR)
      ) AS ROW(
        "reportedOn" VARCHAR,
        "category" VARCHAR,
        "priority" VARCHAR,
        "completedOn" VARCHAR
      )) ORDER BY "r24"."reported_on" DESC, "r24"."repair_id" ASC
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
      CAST(ROW(
        CASE "r22"."tenure"
          WHEN 'secure'
          THEN 'SECURE'
          WHEN 'introductory'
          THEN 'INTRODUCTORY'
          WHEN 'flexible'
          THEN 'FLEXIBLE'
        END,
        CAST("r22"."start_date" AS VARCHAR),
        CAST("r22"."end_date" AS VARCHAR),
        CASE
          WHEN NOT "r23"."account_id" IS NULL
          THEN CAST(ROW(CAST("r23"."balance" AS DOUBLE), CAST("r23"."arrears_weeks" AS INTEGER)) AS ROW("balance" DOUBLE, "arrearsWeeks" INTEGER))
          ELSE NULL
        END,
        COALESCE(
          "a25"."__items",
          CAST(ARRAY[] AS ARRAY(
            ROW(
              "reportedOn" VARCHAR,
              "category" VARCHAR,
              "priority" VARCHAR,
              "completedOn" VARCHAR
            )
          ))
        )
      ) AS ROW(
        "tenure" VARCHAR,
        "startDate" VARCHAR,
        "endDate" VARCHAR,
        "rentAccount" ROW("balance" DOUBLE, "arrearsWeeks" INTEGER),
        "repairs" ARRAY(
          ROW(
            "reportedOn" VARCHAR,
            "category" VARCHAR,
            "priority" VARCHAR,
            "completedOn" VARCHAR
          )
        )
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
  JSON_FORMAT(
    CAST(CAST(ROW(
      CAST("r1"."citizen_id" AS VARCHAR),
      CAST("r1"."given_name" AS VARCHAR),
      CAST("r1"."family_name" AS VARCHAR),
      CAST("r1"."date_of_birth" AS VARCHAR),
      CASE "r1"."sex" WHEN 'F' THEN 'F' WHEN 'M' THEN 'M' WHEN 'U' THEN 'U' END,
      CAST("r1"."postcode" AS VARCHAR),
      CAST("r1"."ward" AS VARCHAR),
      CAST("r1"."health_opt_out" AS BOOLEAN),
      CASE
        WHEN NOT "r2"."patient_id" IS NULL
        THEN CAST(ROW(
          CAST("r2"."nhs_number" AS VARCHAR),
          CAST("r2"."gp_practice_code" AS VARCHAR),
          COALESCE(
            "a4"."__items",
            CAST(ARRAY[] AS ARRAY(
              ROW(
                "encounterDate" VARCHAR,
                "setting" VARCHAR,
                "codeSystem" VARCHAR,
                "diagnosisCode" VARCHAR,
                "diagnosisText" VARCHAR
              )
            ))
          ),
          COALESCE(
            "a6"."__items",
            CAST(ARRAY[] AS ARRAY(
              ROW("prescribedOn" VARCHAR, "medication" VARCHAR, "dose" VARCHAR, "isRepeat" BOOLEAN)
            ))
          )
        ) AS ROW(
          "nhsNumber" VARCHAR,
          "gpPracticeCode" VARCHAR,
          "encounters" ARRAY(
            ROW(
              "encounterDate" VARCHAR,
              "setting" VARCHAR,
              "codeSystem" VARCHAR,
              "diagnosisCode" VARCHAR,
              "diagnosisText" VARCHAR
            )
          ),
          "prescriptions" ARRAY(
            ROW("prescribedOn" VARCHAR, "medication" VARCHAR, "dose" VARCHAR, "isRepeat" BOOLEAN)
          )
        ))
        ELSE NULL
      END,
      CASE
        WHEN NOT "r7"."client_id" IS NULL
        THEN CAST(ROW(
          CAST("r7"."client_id" AS VARCHAR),
          COALESCE(
            "a11"."__items",
            CAST(ARRAY[] AS ARRAY(
              ROW(
                "caseId" VARCHAR,
                "service" VARCHAR,
                "team" VARCHAR,
                "status" VARCHAR,
                "openedOn" VARCHAR,
                "categoryOfNeed" VARCHAR,
                "assessments" ARRAY(ROW("assessedOn" VARCHAR, "outcome" VARCHAR))
              )
            ))
          ),
          COALESCE(
            "a13"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("flagType" VARCHAR, "raisedOn" VARCHAR, "active" BOOLEAN)))
          )
        ) AS ROW(
          "clientId" VARCHAR,
          "cases" ARRAY(
            ROW(
              "caseId" VARCHAR,
              "service" VARCHAR,
              "team" VARCHAR,
              "status" VARCHAR,
              "openedOn" VARCHAR,
              "categoryOfNeed" VARCHAR,
              "assessments" ARRAY(ROW("assessedOn" VARCHAR, "outcome" VARCHAR))
            )
          ),
          "safeguardingFlags" ARRAY(ROW("flagType" VARCHAR, "raisedOn" VARCHAR, "active" BOOLEAN))
        ))
        ELSE NULL
      END,
      CASE
        WHEN NOT "r14"."pupil_id" IS NULL
        THEN CAST(ROW(
          CAST("r14"."upn" AS VARCHAR),
          CASE "r14"."sen_provision"
            WHEN 'none'
            THEN 'NONE'
            WHEN 'sen_support'
            THEN 'SEN_SUPPORT'
            WHEN 'ehc_plan'
            THEN 'EHC_PLAN'
          END,
          CAST("r14"."free_school_meals" AS BOOLEAN),
          COALESCE(
            "a16"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("schoolName" VARCHAR, "entryDate" VARCHAR, "yearGroup" INTEGER)))
          ),
          COALESCE(
            "a18"."__items",
            CAST(ARRAY[] AS ARRAY(
              ROW(
                "academicYear" VARCHAR,
                "term" VARCHAR,
                "possibleSessions" INTEGER,
                "attendedSessions" INTEGER
              )
            ))
          ),
          COALESCE(
            "a20"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("startDate" VARCHAR, "exclusionType" VARCHAR, "sessions" INTEGER)))
          )
        ) AS ROW(
          "upn" VARCHAR,
          "senProvision" VARCHAR,
          "freeSchoolMeals" BOOLEAN,
          "enrolments" ARRAY(ROW("schoolName" VARCHAR, "entryDate" VARCHAR, "yearGroup" INTEGER)),
          "attendance" ARRAY(
            ROW(
              "academicYear" VARCHAR,
              "term" VARCHAR,
              "possibleSessions" INTEGER,
              "attendedSessions" INTEGER
            )
          ),
          "exclusions" ARRAY(ROW("startDate" VARCHAR, "exclusionType" VARCHAR, "sessions" INTEGER))
        ))
        ELSE NULL
      END,
      CASE
        WHEN NOT "r21"."tenant_id" IS NULL
        THEN CAST(ROW(
          COALESCE(
            "a26"."__items",
            CAST(ARRAY[] AS ARRAY(
              ROW(
                "tenure" VARCHAR,
                "startDate" VARCHAR,
                "endDate" VARCHAR,
                "rentAccount" ROW("balance" DOUBLE, "arrearsWeeks" INTEGER),
                "repairs" ARRAY(
                  ROW(
                    "reportedOn" VARCHAR,
                    "category" VARCHAR,
                    "priority" VARCHAR,
                    "completedOn" VARCHAR
                  )
                )
              )
            ))
          )
        ) AS ROW(
          "tenancies" ARRAY(
            ROW(
              "tenure" VARCHAR,
              "startDate" VARCHAR,
              "endDate" VARCHAR,
              "rentAccount" ROW("balance" DOUBLE, "arrearsWeeks" INTEGER),
              "repairs" ARRAY(
                ROW(
                  "reportedOn" VARCHAR,
                  "category" VARCHAR,
                  "priority" VARCHAR,
                  "completedOn" VARCHAR
                )
              )
            )
          )
        ))
        ELSE NULL
      END
    ) AS ROW(
      "id" VARCHAR,
      "givenName" VARCHAR,
      "familyName" VARCHAR,
      "dateOfBirth" VARCHAR,
      "sex" VARCHAR,
      "postcode" VARCHAR,
      "ward" VARCHAR,
      "healthOptOut" BOOLEAN,
      "health" ROW(
        "nhsNumber" VARCHAR,
        "gpPracticeCode" VARCHAR,
        "encounters" ARRAY(
          ROW(
            "encounterDate" VARCHAR,
            "setting" VARCHAR,
            "codeSystem" VARCHAR,
            "diagnosisCode" VARCHAR,
            "diagnosisText" VARCHAR
          )
        ),
        "prescriptions" ARRAY(
          ROW("prescribedOn" VARCHAR, "medication" VARCHAR, "dose" VARCHAR, "isRepeat" BOOLEAN)
        )
      ),
      "socialCare" ROW(
        "clientId" VARCHAR,
        "cases" ARRAY(
          ROW(
            "caseId" VARCHAR,
            "service" VARCHAR,
            "team" VARCHAR,
            "status" VARCHAR,
            "openedOn" VARCHAR,
            "categoryOfNeed" VARCHAR,
            "assessments" ARRAY(ROW("assessedOn" VARCHAR, "outcome" VARCHAR))
          )
        ),
        "safeguardingFlags" ARRAY(ROW("flagType" VARCHAR, "raisedOn" VARCHAR, "active" BOOLEAN))
      ),
      "education" ROW(
        "upn" VARCHAR,
        "senProvision" VARCHAR,
        "freeSchoolMeals" BOOLEAN,
        "enrolments" ARRAY(ROW("schoolName" VARCHAR, "entryDate" VARCHAR, "yearGroup" INTEGER)),
        "attendance" ARRAY(
          ROW(
            "academicYear" VARCHAR,
            "term" VARCHAR,
            "possibleSessions" INTEGER,
            "attendedSessions" INTEGER
          )
        ),
        "exclusions" ARRAY(ROW("startDate" VARCHAR, "exclusionType" VARCHAR, "sessions" INTEGER))
      ),
      "housing" ROW(
        "tenancies" ARRAY(
          ROW(
            "tenure" VARCHAR,
            "startDate" VARCHAR,
            "endDate" VARCHAR,
            "rentAccount" ROW("balance" DOUBLE, "arrearsWeeks" INTEGER),
            "repairs" ARRAY(
              ROW(
                "reportedOn" VARCHAR,
                "category" VARCHAR,
                "priority" VARCHAR,
                "completedOn" VARCHAR
              )
            )
          )
        )
      )
    )) AS JSON)
  ) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000, 1001, 1002, 1003), (1, 43, CAST(NULL AS BIGINT), 2001, CAST(NULL AS BIGINT), 2003)
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
