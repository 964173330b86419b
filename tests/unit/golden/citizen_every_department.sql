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
    "t"."citizen_id" = 42
), "l2" AS (
  SELECT
    "t"."citizen_id" AS "__citizen",
    "t"."local_id" AS "__local"
  FROM "registry"."registry"."person_link" AS "t"
  WHERE
    "t"."department" = 'health'
    AND "t"."citizen_id" IN (
      SELECT
        "r1"."citizen_id"
      FROM "r1" AS "r1"
    )
), "r3" AS (
  SELECT
    "t"."gp_practice_code" AS "gp_practice_code",
    "t"."nhs_number" AS "nhs_number",
    "t"."patient_id" AS "patient_id"
  FROM "health"."health"."patient" AS "t"
  WHERE
    "t"."patient_id" IN (
      SELECT
        "l2"."__local"
      FROM "l2" AS "l2"
    )
), "r4" AS (
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
    "t"."patient_id" IN (
      SELECT
        "r3"."patient_id"
      FROM "r3" AS "r3"
    )
), "a5" AS (
  SELECT
    "r4"."patient_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r4"."encounter_date" AS VARCHAR),
        CASE "r4"."setting"
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
        CASE "r4"."code_system" WHEN 'ICD-10' THEN 'ICD_10' WHEN 'SNOMED' THEN 'SNOMED' END,
        CAST("r4"."diagnosis_code" AS VARCHAR),
        CAST("r4"."diagnosis_text" AS VARCHAR)
      ) AS ROW(
        "encounterDate" VARCHAR,
        "setting" VARCHAR,
        "codeSystem" VARCHAR,
        "diagnosisCode" VARCHAR,
        "diagnosisText" VARCHAR
      )) ORDER BY "r4"."encounter_date" DESC, "r4"."encounter_id" ASC
    ) AS "__items"
  FROM "r4"
  WHERE
    "r4"."__rank" <= 5
  GROUP BY
    "r4"."patient_id"
), "r6" AS (
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
    "t"."patient_id" IN (
      SELECT
        "r3"."patient_id"
      FROM "r3" AS "r3"
    )
), "a7" AS (
  SELECT
    "r6"."patient_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r6"."prescribed_on" AS VARCHAR),
        CAST("r6"."medication" AS VARCHAR),
        CAST("r6"."dose" AS VARCHAR),
        CAST("r6"."is_repeat" AS BOOLEAN)
      ) AS ROW("prescribedOn" VARCHAR, "medication" VARCHAR, "dose" VARCHAR, "isRepeat" BOOLEAN)) ORDER BY "r6"."prescribed_on" DESC, "r6"."prescription_id" ASC
    ) AS "__items"
  FROM "r6"
  WHERE
    "r6"."__rank" <= 20
  GROUP BY
    "r6"."patient_id"
), "l8" AS (
  SELECT
    "t"."citizen_id" AS "__citizen",
    "t"."local_id" AS "__local"
  FROM "registry"."registry"."person_link" AS "t"
  WHERE
    "t"."department" = 'socialcare'
    AND "t"."citizen_id" IN (
      SELECT
        "r1"."citizen_id"
      FROM "r1" AS "r1"
    )
), "r9" AS (
  SELECT
    "t"."client_id" AS "client_id"
  FROM "socialcare"."socialcare"."client" AS "t"
  WHERE
    "t"."client_id" IN (
      SELECT
        "l8"."__local"
      FROM "l8" AS "l8"
    )
), "r10" AS (
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
    "t"."client_id" IN (
      SELECT
        "r9"."client_id"
      FROM "r9" AS "r9"
    )
), "r11" AS (
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
        "r10"."case_id"
      FROM "r10" AS "r10"
    )
), "a12" AS (
  SELECT
    "r11"."case_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r11"."assessed_on" AS VARCHAR), CAST("r11"."outcome" AS VARCHAR)) AS ROW("assessedOn" VARCHAR, "outcome" VARCHAR)) ORDER BY "r11"."assessed_on" DESC, "r11"."assessment_id" ASC
    ) AS "__items"
  FROM "r11"
  WHERE
    "r11"."__rank" <= 20
  GROUP BY
    "r11"."case_id"
), "a13" AS (
  SELECT
    "r10"."client_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r10"."case_id" AS VARCHAR),
        CASE "r10"."service" WHEN 'children' THEN 'CHILDREN' WHEN 'adults' THEN 'ADULTS' END,
        CAST("r10"."team" AS VARCHAR),
        CASE "r10"."status" WHEN 'open' THEN 'OPEN' WHEN 'closed' THEN 'CLOSED' END,
        CAST("r10"."opened_on" AS VARCHAR),
        CAST("r10"."category_of_need" AS VARCHAR),
        COALESCE(
          "a12"."__items",
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
      )) ORDER BY "r10"."opened_on" DESC, "r10"."case_id" ASC
    ) AS "__items"
  FROM "r10"
  LEFT JOIN "a12"
    ON "a12"."__parent" = "r10"."case_id"
  WHERE
    "r10"."__rank" <= 20
  GROUP BY
    "r10"."client_id"
), "r14" AS (
  SELECT
    "t"."active" AS "active",
    "t"."client_id" AS "client_id",
    "t"."flag_id" AS "flag_id",
    "t"."flag_type" AS "flag_type",
    "t"."raised_on" AS "raised_on",
    ROW_NUMBER() OVER (PARTITION BY "t"."client_id" ORDER BY "t"."raised_on" DESC, "t"."flag_id" ASC) AS "__rank"
  FROM "socialcare"."socialcare"."safeguarding_flag" AS "t"
  WHERE
    "t"."client_id" IN (
      SELECT
        "r9"."client_id"
      FROM "r9" AS "r9"
    )
), "a15" AS (
  SELECT
    "r14"."client_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r14"."flag_type" AS VARCHAR),
        CAST("r14"."raised_on" AS VARCHAR),
        CAST("r14"."active" AS BOOLEAN)
      ) AS ROW("flagType" VARCHAR, "raisedOn" VARCHAR, "active" BOOLEAN)) ORDER BY "r14"."raised_on" DESC, "r14"."flag_id" ASC
    ) AS "__items"
  FROM "r14"
  WHERE
    "r14"."__rank" <= 20
  GROUP BY
    "r14"."client_id"
), "l16" AS (
  SELECT
    "t"."citizen_id" AS "__citizen",
    "t"."local_id" AS "__local"
  FROM "registry"."registry"."person_link" AS "t"
  WHERE
    "t"."department" = 'education'
    AND "t"."citizen_id" IN (
      SELECT
        "r1"."citizen_id"
      FROM "r1" AS "r1"
    )
), "r17" AS (
  SELECT
    "t"."free_school_meals" AS "free_school_meals",
    "t"."pupil_id" AS "pupil_id",
    "t"."sen_provision" AS "sen_provision",
    "t"."upn" AS "upn"
  FROM "education"."education"."pupil" AS "t"
  WHERE
    "t"."pupil_id" IN (
      SELECT
        "l16"."__local"
      FROM "l16" AS "l16"
    )
), "r18" AS (
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
    "t"."pupil_id" IN (
      SELECT
        "r17"."pupil_id"
      FROM "r17" AS "r17"
    )
), "a19" AS (
  SELECT
    "r18"."pupil_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r18"."school_name" AS VARCHAR),
        CAST("r18"."entry_date" AS VARCHAR),
        CAST("r18"."year_group" AS INTEGER)
      ) AS ROW("schoolName" VARCHAR, "entryDate" VARCHAR, "yearGroup" INTEGER)) ORDER BY "r18"."entry_date" DESC, "r18"."enrolment_id" ASC
    ) AS "__items"
  FROM "r18"
  WHERE
    "r18"."__rank" <= 20
  GROUP BY
    "r18"."pupil_id"
), "r20" AS (
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
    "t"."pupil_id" IN (
      SELECT
        "r17"."pupil_id"
      FROM "r17" AS "r17"
    )
), "a21" AS (
  SELECT
    "r20"."pupil_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r20"."academic_year" AS VARCHAR),
        CASE "r20"."term"
          WHEN 'autumn'
          THEN 'AUTUMN'
          WHEN 'spring'
          THEN 'SPRING'
          WHEN 'summer'
          THEN 'SUMMER'
        END,
        CAST("r20"."possible_sessions" AS INTEGER),
        CAST("r20"."attended_sessions" AS INTEGER)
      ) AS ROW(
        "academicYear" VARCHAR,
        "term" VARCHAR,
        "possibleSessions" INTEGER,
        "attendedSessions" INTEGER
      )) ORDER BY "r20"."academic_year" DESC, "r20"."term" ASC, "r20"."attendance_id" ASC
    ) AS "__items"
  FROM "r20"
  WHERE
    "r20"."__rank" <= 20
  GROUP BY
    "r20"."pupil_id"
), "r22" AS (
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
    "t"."pupil_id" IN (
      SELECT
        "r17"."pupil_id"
      FROM "r17" AS "r17"
    )
), "a23" AS (
  SELECT
    "r22"."pupil_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r22"."start_date" AS VARCHAR),
        CASE "r22"."exclusion_type"
          WHEN 'suspension'
          THEN 'SUSPENSION'
          WHEN 'permanent'
          THEN 'PERMANENT'
        END,
        CAST("r22"."sessions" AS INTEGER)
      ) AS ROW("startDate" VARCHAR, "exclusionType" VARCHAR, "sessions" INTEGER)) ORDER BY "r22"."start_date" DESC, "r22"."exclusion_id" ASC
    ) AS "__items"
  FROM "r22"
  WHERE
    "r22"."__rank" <= 20
  GROUP BY
    "r22"."pupil_id"
), "l24" AS (
  SELECT
    "t"."citizen_id" AS "__citizen",
    "t"."local_id" AS "__local"
  FROM "registry"."registry"."person_link" AS "t"
  WHERE
    "t"."department" = 'housing'
    AND "t"."citizen_id" IN (
      SELECT
        "r1"."citizen_id"
      FROM "r1" AS "r1"
    )
), "r25" AS (
  SELECT
    "t"."tenant_id" AS "tenant_id"
  FROM "housing"."housing"."tenant" AS "t"
  WHERE
    "t"."tenant_id" IN (
      SELECT
        "l24"."__local"
      FROM "l24" AS "l24"
    )
), "r26" AS (
  SELECT
    "t"."end_date" AS "end_date",
    "t"."start_date" AS "start_date",
    "t"."tenancy_id" AS "tenancy_id",
    "t"."tenant_id" AS "tenant_id",
    "t"."tenure" AS "tenure",
    ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
  FROM "housing"."housing"."tenancy" AS "t"
  WHERE
    "t"."tenant_id" IN (
      SELECT
        "r25"."tenant_id"
      FROM "r25" AS "r25"
    )
), "r27" AS (
  SELECT
    "t"."account_id" AS "account_id",
    "t"."arrears_weeks" AS "arrears_weeks",
    "t"."balance" AS "balance",
    "t"."tenancy_id" AS "tenancy_id"
  FROM "housing"."housing"."rent_account" AS "t"
  WHERE
    "t"."tenancy_id" IN (
      SELECT
        "r26"."tenancy_id"
      FROM "r26" AS "r26"
    )
), "r28" AS (
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
        "r26"."tenancy_id"
      FROM "r26" AS "r26"
    )
), "a29" AS (
  SELECT
    "r28"."tenancy_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r28"."reported_on" AS VARCHAR),
        CAST("r28"."category" AS VARCHAR),
        CASE "r28"."priority"
          WHEN 'emergency'
          THEN 'EMERGENCY'
          WHEN 'urgent'
          THEN 'URGENT'
          WHEN 'routine'
          THEN 'ROUTINE'
        END,
        CAST("r28"."completed_on" AS VARCHAR)
      ) AS ROW(
        "reportedOn" VARCHAR,
        "category" VARCHAR,
        "priority" VARCHAR,
        "completedOn" VARCHAR
      )) ORDER BY "r28"."reported_on" DESC, "r28"."repair_id" ASC
    ) AS "__items"
  FROM "r28"
  WHERE
    "r28"."__rank" <= 20
  GROUP BY
    "r28"."tenancy_id"
), "a30" AS (
  SELECT
    "r26"."tenant_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CASE "r26"."tenure"
          WHEN 'secure'
          THEN 'SECURE'
          WHEN 'introductory'
          THEN 'INTRODUCTORY'
          WHEN 'flexible'
          THEN 'FLEXIBLE'
        END,
        CAST("r26"."start_date" AS VARCHAR),
        CAST("r26"."end_date" AS VARCHAR),
        CASE
          WHEN NOT "r27"."account_id" IS NULL
          THEN CAST(ROW(CAST("r27"."balance" AS DOUBLE), CAST("r27"."arrears_weeks" AS INTEGER)) AS ROW("balance" DOUBLE, "arrearsWeeks" INTEGER))
          ELSE NULL
        END,
        COALESCE(
          "a29"."__items",
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
      )) ORDER BY "r26"."start_date" DESC, "r26"."tenancy_id" ASC
    ) AS "__items"
  FROM "r26"
  LEFT JOIN "r27"
    ON "r27"."tenancy_id" = "r26"."tenancy_id"
  LEFT JOIN "a29"
    ON "a29"."__parent" = "r26"."tenancy_id"
  WHERE
    "r26"."__rank" <= 20
  GROUP BY
    "r26"."tenant_id"
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
        WHEN NOT "r3"."patient_id" IS NULL
        THEN CAST(ROW(
          CAST("r3"."nhs_number" AS VARCHAR),
          CAST("r3"."gp_practice_code" AS VARCHAR),
          COALESCE(
            "a5"."__items",
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
            "a7"."__items",
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
        WHEN NOT "r9"."client_id" IS NULL
        THEN CAST(ROW(
          CAST("r9"."client_id" AS VARCHAR),
          COALESCE(
            "a13"."__items",
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
            "a15"."__items",
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
        WHEN NOT "r17"."pupil_id" IS NULL
        THEN CAST(ROW(
          CAST("r17"."upn" AS VARCHAR),
          CASE "r17"."sen_provision"
            WHEN 'none'
            THEN 'NONE'
            WHEN 'sen_support'
            THEN 'SEN_SUPPORT'
            WHEN 'ehc_plan'
            THEN 'EHC_PLAN'
          END,
          CAST("r17"."free_school_meals" AS BOOLEAN),
          COALESCE(
            "a19"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("schoolName" VARCHAR, "entryDate" VARCHAR, "yearGroup" INTEGER)))
          ),
          COALESCE(
            "a21"."__items",
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
            "a23"."__items",
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
        WHEN NOT "r25"."tenant_id" IS NULL
        THEN CAST(ROW(
          COALESCE(
            "a30"."__items",
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
  ) AS "node",
  "r1"."citizen_id" AS "citizen"
FROM "r1"
LEFT JOIN "l2"
  ON "l2"."__citizen" = "r1"."citizen_id"
LEFT JOIN "r3"
  ON "r3"."patient_id" = "l2"."__local"
LEFT JOIN "a5"
  ON "a5"."__parent" = "r3"."patient_id"
LEFT JOIN "a7"
  ON "a7"."__parent" = "r3"."patient_id"
LEFT JOIN "l8"
  ON "l8"."__citizen" = "r1"."citizen_id"
LEFT JOIN "r9"
  ON "r9"."client_id" = "l8"."__local"
LEFT JOIN "a13"
  ON "a13"."__parent" = "r9"."client_id"
LEFT JOIN "a15"
  ON "a15"."__parent" = "r9"."client_id"
LEFT JOIN "l16"
  ON "l16"."__citizen" = "r1"."citizen_id"
LEFT JOIN "r17"
  ON "r17"."pupil_id" = "l16"."__local"
LEFT JOIN "a19"
  ON "a19"."__parent" = "r17"."pupil_id"
LEFT JOIN "a21"
  ON "a21"."__parent" = "r17"."pupil_id"
LEFT JOIN "a23"
  ON "a23"."__parent" = "r17"."pupil_id"
LEFT JOIN "l24"
  ON "l24"."__citizen" = "r1"."citizen_id"
LEFT JOIN "r25"
  ON "r25"."tenant_id" = "l24"."__local"
LEFT JOIN "a30"
  ON "a30"."__parent" = "r25"."tenant_id";
