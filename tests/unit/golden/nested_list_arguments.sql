WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id"
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" = 7
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
    "t"."diagnosis_code" AS "diagnosis_code",
    "t"."encounter_date" AS "encounter_date",
    "t"."encounter_id" AS "encounter_id",
    "t"."patient_id" AS "patient_id",
    "t"."setting" AS "setting",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."patient_id"
      ORDER BY "t"."encounter_date" ASC, "t"."encounter_id" ASC
    ) AS "__rank"
  FROM "health"."health"."encounter" AS "t"
  WHERE
    "t"."patient_id" IN (
      SELECT
        "r3"."patient_id"
      FROM "r3" AS "r3"
    )
    AND (
      "t"."encounter_date" >= CAST('2024-01-01' AS DATE)
      AND "t"."setting" IN ('emergency', 'inpatient')
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
        CAST("r4"."diagnosis_code" AS VARCHAR)
      ) AS ROW("encounterDate" VARCHAR, "setting" VARCHAR, "diagnosisCode" VARCHAR)) ORDER BY "r4"."encounter_date" ASC, "r4"."encounter_id" ASC
    ) AS "__items"
  FROM "r4"
  WHERE
    "r4"."__rank" <= 2
  GROUP BY
    "r4"."patient_id"
), "l6" AS (
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
), "r7" AS (
  SELECT
    "t"."tenant_id" AS "tenant_id"
  FROM "housing"."housing"."tenant" AS "t"
  WHERE
    "t"."tenant_id" IN (
      SELECT
        "l6"."__local"
      FROM "l6" AS "l6"
    )
), "r8" AS (
  SELECT
    "t"."start_date" AS "start_date",
    "t"."tenancy_id" AS "tenancy_id",
    "t"."tenant_id" AS "tenant_id",
    ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
  FROM "housing"."housing"."tenancy" AS "t"
  WHERE
    "t"."tenant_id" IN (
      SELECT
        "r7"."tenant_id"
      FROM "r7" AS "r7"
    )
    AND "t"."end_date" IS NULL
), "r9" AS (
  SELECT
    "t"."category" AS "category",
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
        "r8"."tenancy_id"
      FROM "r8" AS "r8"
    )
    AND "t"."priority" = 'emergency'
), "a10" AS (
  SELECT
    "r9"."tenancy_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r9"."reported_on" AS VARCHAR), CAST("r9"."category" AS VARCHAR)) AS ROW("reportedOn" VARCHAR, "category" VARCHAR)) ORDER BY "r9"."reported_on" DESC, "r9"."repair_id" ASC
    ) AS "__items"
  FROM "r9"
  WHERE
    "r9"."__rank" <= 1
  GROUP BY
    "r9"."tenancy_id"
), "a11" AS (
  SELECT
    "r8"."tenant_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        COALESCE(
          "a10"."__items",
          CAST(ARRAY[] AS ARRAY(ROW("reportedOn" VARCHAR, "category" VARCHAR)))
        )
      ) AS ROW("repairs" ARRAY(ROW("reportedOn" VARCHAR, "category" VARCHAR)))) ORDER BY "r8"."start_date" DESC, "r8"."tenancy_id" ASC
    ) AS "__items"
  FROM "r8"
  LEFT JOIN "a10"
    ON "a10"."__parent" = "r8"."tenancy_id"
  WHERE
    "r8"."__rank" <= 20
  GROUP BY
    "r8"."tenant_id"
)
SELECT
  JSON_FORMAT(
    CAST(CAST(ROW(
      CASE
        WHEN NOT "r3"."patient_id" IS NULL
        THEN CAST(ROW(
          COALESCE(
            "a5"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("encounterDate" VARCHAR, "setting" VARCHAR, "diagnosisCode" VARCHAR)))
          )
        ) AS ROW(
          "encounters" ARRAY(ROW("encounterDate" VARCHAR, "setting" VARCHAR, "diagnosisCode" VARCHAR))
        ))
        ELSE NULL
      END,
      CASE
        WHEN NOT "r7"."tenant_id" IS NULL
        THEN CAST(ROW(
          COALESCE(
            "a11"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("repairs" ARRAY(ROW("reportedOn" VARCHAR, "category" VARCHAR)))))
          )
        ) AS ROW(
          "tenancies" ARRAY(ROW("repairs" ARRAY(ROW("reportedOn" VARCHAR, "category" VARCHAR))))
        ))
        ELSE NULL
      END
    ) AS ROW(
      "health" ROW(
        "encounters" ARRAY(ROW("encounterDate" VARCHAR, "setting" VARCHAR, "diagnosisCode" VARCHAR))
      ),
      "housing" ROW(
        "tenancies" ARRAY(ROW("repairs" ARRAY(ROW("reportedOn" VARCHAR, "category" VARCHAR))))
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
LEFT JOIN "l6"
  ON "l6"."__citizen" = "r1"."citizen_id"
LEFT JOIN "r7"
  ON "r7"."tenant_id" = "l6"."__local"
LEFT JOIN "a11"
  ON "a11"."__parent" = "r7"."tenant_id";
