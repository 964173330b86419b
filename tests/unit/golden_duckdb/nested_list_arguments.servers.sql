SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1",
  "l2"."local_id" AS "c2"
FROM "registry"."registry"."citizen" AS "t"
LEFT JOIN "registry"."registry"."person_link" AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'health'
  AND "l1"."primary_record" = TRUE
  AND "l1"."citizen_id" IN (7)
LEFT JOIN "registry"."registry"."person_link" AS "l2"
  ON "l2"."citizen_id" = "t"."citizen_id"
  AND "l2"."department" = 'housing'
  AND "l2"."primary_record" = TRUE
  AND "l2"."citizen_id" IN (7)
WHERE
  "t"."citizen_id" = 7;

SET VARIABLE citizen_gateway_keys_1 = (
  WITH "r6" AS (
    SELECT
      "t"."start_date" AS "start_date",
      "t"."tenancy_id" AS "tenancy_id",
      "t"."tenant_id" AS "tenant_id",
      ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
    FROM "housing"."housing"."tenancy" AS "t"
    WHERE
      "t"."tenant_id" IN (1001, 2001) AND "t"."end_date" IS NULL
  )
  SELECT
    COALESCE(
      NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(CAST("s"."x" AS BIGINT)))), ', '), ''),
      'NULL'
    )
  FROM (
    SELECT
      "r6"."tenancy_id"
    FROM "r6" AS "r6"
  ) AS "s"("x")
  WHERE
    NOT "s"."x" IS NULL
);
WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id"
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."patient_id" AS "patient_id"
  FROM "health"."health"."patient" AS "t"
  WHERE
    "t"."patient_id" IN (1000)
), "r3" AS (
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
    "t"."patient_id" IN (1000)
    AND (
      "t"."encounter_date" >= CAST('2024-01-01' AS DATE)
      AND "t"."setting" IN ('emergency', 'inpatient')
    )
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
      END, CAST("r3"."diagnosis_code" AS TEXT)) AS STRUCT("encounterDate" TEXT, "setting" TEXT, "diagnosisCode" TEXT)) ORDER BY "r3"."encounter_date" ASC, "r3"."encounter_id" ASC
    ) AS "__items"
  FROM "r3"
  WHERE
    "r3"."__rank" <= 2
  GROUP BY
    "r3"."patient_id"
), "r5" AS (
  SELECT
    "t"."tenant_id" AS "tenant_id"
  FROM "housing"."housing"."tenant" AS "t"
  WHERE
    "t"."tenant_id" IN (1001, 2001)
), "r6" AS (
  SELECT
    "t"."start_date" AS "start_date",
    "t"."tenancy_id" AS "tenancy_id",
    "t"."tenant_id" AS "tenant_id",
    ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
  FROM "housing"."housing"."tenancy" AS "t"
  WHERE
    "t"."tenant_id" IN (1001, 2001) AND "t"."end_date" IS NULL
), "r7" AS (
  SELECT
    "t"."category" AS "category",
    "t"."repair_id" AS "repair_id",
    "t"."reported_on" AS "reported_on",
    "t"."tenancy_id" AS "tenancy_id",
    ROW_NUMBER() OVER (
      PARTITION BY "t"."tenancy_id"
      ORDER BY "t"."reported_on" DESC, "t"."repair_id" ASC
    ) AS "__rank"
  FROM QUERY(
    'SELECT "t"."category", "t"."priority", "t"."repair_id", "t"."reported_on", "t"."tenancy_id" FROM "housing"."housing"."repair" AS "t" WHERE "t"."tenancy_id" IN (' || GETVARIABLE('citizen_gateway_keys_1') || ')'
  ) AS "t"
  WHERE
    "t"."priority" = 'emergency'
), "a8" AS (
  SELECT
    "r7"."tenancy_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r7"."reported_on" AS TEXT), CAST("r7"."category" AS TEXT)) AS STRUCT("reportedOn" TEXT, "category" TEXT)) ORDER BY "r7"."reported_on" DESC, "r7"."repair_id" ASC
    ) AS "__items"
  FROM "r7"
  WHERE
    "r7"."__rank" <= 1
  GROUP BY
    "r7"."tenancy_id"
), "a9" AS (
  SELECT
    "r6"."tenant_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(COALESCE("a8"."__items", CAST([] AS STRUCT("reportedOn" TEXT, "category" TEXT)[]))) AS STRUCT("repairs" STRUCT("reportedOn" TEXT, "category" TEXT)[])) ORDER BY "r6"."start_date" DESC, "r6"."tenancy_id" ASC
    ) AS "__items"
  FROM "r6"
  LEFT JOIN "a8"
    ON "a8"."__parent" = "r6"."tenancy_id"
  WHERE
    "r6"."__rank" <= 20
  GROUP BY
    "r6"."tenant_id"
)
SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CASE
      WHEN NOT "r2"."patient_id" IS NULL
      THEN CAST(ROW(COALESCE(
        "a4"."__items",
        CAST([] AS STRUCT("encounterDate" TEXT, "setting" TEXT, "diagnosisCode" TEXT)[])
      )) AS STRUCT(
        "encounters" STRUCT("encounterDate" TEXT, "setting" TEXT, "diagnosisCode" TEXT)[]
      ))
      ELSE NULL
    END, CASE
      WHEN NOT "r5"."tenant_id" IS NULL
      THEN CAST(ROW(COALESCE(
        "a9"."__items",
        CAST([] AS STRUCT("repairs" STRUCT("reportedOn" TEXT, "category" TEXT)[])[])
      )) AS STRUCT("tenancies" STRUCT("repairs" STRUCT("reportedOn" TEXT, "category" TEXT)[])[]))
      ELSE NULL
    END) AS STRUCT(
      "health" STRUCT(
        "encounters" STRUCT("encounterDate" TEXT, "setting" TEXT, "diagnosisCode" TEXT)[]
      ),
      "housing" STRUCT("tenancies" STRUCT("repairs" STRUCT("reportedOn" TEXT, "category" TEXT)[])[])
    )) AS JSON)
  ) AS TEXT) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000, 1001),
    (1, 43, CAST(NULL AS BIGINT), 2001)
) AS "m"("position", "citizen", "link_health", "link_housing")
JOIN "r1"
  ON "r1"."citizen_id" = "m"."citizen"
LEFT JOIN "r2"
  ON "r2"."patient_id" = "m"."link_health"
LEFT JOIN "a4"
  ON "a4"."__parent" = "r2"."patient_id"
LEFT JOIN "r5"
  ON "r5"."tenant_id" = "m"."link_housing"
LEFT JOIN "a9"
  ON "a9"."__parent" = "r5"."tenant_id";
