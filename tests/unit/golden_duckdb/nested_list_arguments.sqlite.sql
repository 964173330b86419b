SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1",
  "l2"."local_id" AS "c2"
FROM (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id"
  FROM SQLITE_QUERY('registry', 'SELECT "citizen_id" FROM "citizen" WHERE "citizen_id" IN (7)') AS "sqlite"
) AS "t"
LEFT JOIN (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id",
    CAST("department" AS TEXT) AS "department",
    CAST("local_id" AS BIGINT) AS "local_id",
    CAST("primary_record" AS BOOLEAN) AS "primary_record"
  FROM SQLITE_QUERY(
    'registry',
    'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link" WHERE "citizen_id" IN (7)'
  ) AS "sqlite"
) AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'health'
  AND "l1"."primary_record" = TRUE
  AND "l1"."citizen_id" IN (7)
LEFT JOIN (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id",
    CAST("department" AS TEXT) AS "department",
    CAST("local_id" AS BIGINT) AS "local_id",
    CAST("primary_record" AS BOOLEAN) AS "primary_record"
  FROM SQLITE_QUERY(
    'registry',
    'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link" WHERE "citizen_id" IN (7)'
  ) AS "sqlite"
) AS "l2"
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
    FROM (
      SELECT
        CAST("end_date" AS DATE) AS "end_date",
        CAST("start_date" AS DATE) AS "start_date",
        CAST("tenancy_id" AS BIGINT) AS "tenancy_id",
        CAST("tenant_id" AS BIGINT) AS "tenant_id"
      FROM SQLITE_QUERY(
        'housing',
        'SELECT "end_date", "start_date", "tenancy_id", "tenant_id" FROM "tenancy" WHERE "tenant_id" IN (1001, 2001)'
      ) AS "sqlite"
    ) AS "t"
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
  FROM (
    SELECT
      CAST("citizen_id" AS BIGINT) AS "citizen_id"
    FROM SQLITE_QUERY('registry', 'SELECT "citizen_id" FROM "citizen" WHERE "citizen_id" IN (42, 43)') AS "sqlite"
  ) AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."patient_id" AS "patient_id"
  FROM (
    SELECT
      CAST("patient_id" AS BIGINT) AS "patient_id"
    FROM SQLITE_QUERY('health', 'SELECT "patient_id" FROM "patient" WHERE "patient_id" IN (1000)') AS "sqlite"
  ) AS "t"
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
  FROM (
    SELECT
      CAST("diagnosis_code" AS TEXT) AS "diagnosis_code",
      CAST("encounter_date" AS DATE) AS "encounter_date",
      CAST("encounter_id" AS BIGINT) AS "encounter_id",
      CAST("patient_id" AS BIGINT) AS "patient_id",
      CAST("setting" AS TEXT) AS "setting"
    FROM SQLITE_QUERY(
      'health',
      'SELECT "diagnosis_code", "encounter_date", "encounter_id", "patient_id", "setting" FROM "encounter" WHERE "patient_id" IN (1000)'
    ) AS "sqlite"
  ) AS "t"
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
  FROM (
    SELECT
      CAST("tenant_id" AS BIGINT) AS "tenant_id"
    FROM SQLITE_QUERY('housing', 'SELECT "tenant_id" FROM "tenant" WHERE "tenant_id" IN (1001, 2001)') AS "sqlite"
  ) AS "t"
  WHERE
    "t"."tenant_id" IN (1001, 2001)
), "r6" AS (
  SELECT
    "t"."start_date" AS "start_date",
    "t"."tenancy_id" AS "tenancy_id",
    "t"."tenant_id" AS "tenant_id",
    ROW_NUMBER() OVER (PARTITION BY "t"."tenant_id" ORDER BY "t"."start_date" DESC, "t"."tenancy_id" ASC) AS "__rank"
  FROM (
    SELECT
      CAST("end_date" AS DATE) AS "end_date",
      CAST("start_date" AS DATE) AS "start_date",
      CAST("tenancy_id" AS BIGINT) AS "tenancy_id",
      CAST("tenant_id" AS BIGINT) AS "tenant_id"
    FROM SQLITE_QUERY(
      'housing',
      'SELECT "end_date", "start_date", "tenancy_id", "tenant_id" FROM "tenancy" WHERE "tenant_id" IN (1001, 2001)'
    ) AS "sqlite"
  ) AS "t"
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
  FROM (
    SELECT
      CAST("category" AS TEXT) AS "category",
      CAST("priority" AS TEXT) AS "priority",
      CAST("repair_id" AS BIGINT) AS "repair_id",
      CAST("reported_on" AS DATE) AS "reported_on",
      CAST("tenancy_id" AS BIGINT) AS "tenancy_id"
    FROM SQLITE_QUERY(
      'housing',
      'SELECT "category", "priority", "repair_id", "reported_on", "tenancy_id" FROM "repair" WHERE "tenancy_id" IN (' || GETVARIABLE('citizen_gateway_keys_1') || ')'
    ) AS "sqlite"
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
