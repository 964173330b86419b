SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1"
FROM (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id"
  FROM SQLITE_QUERY('registry', 'SELECT "citizen_id" FROM "citizen" WHERE "citizen_id" IN (3)') AS "sqlite"
) AS "t"
LEFT JOIN (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id",
    CAST("department" AS TEXT) AS "department",
    CAST("local_id" AS BIGINT) AS "local_id",
    CAST("primary_record" AS BOOLEAN) AS "primary_record"
  FROM SQLITE_QUERY(
    'registry',
    'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link" WHERE "citizen_id" IN (3)'
  ) AS "sqlite"
) AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'health'
  AND "l1"."primary_record" = TRUE
  AND "l1"."citizen_id" IN (3)
WHERE
  "t"."citizen_id" = 3;

WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id",
    "t"."date_of_birth" AS "date_of_birth",
    "t"."family_name" AS "family_name",
    "t"."given_name" AS "given_name"
  FROM (
    SELECT
      CAST("citizen_id" AS BIGINT) AS "citizen_id",
      CAST("date_of_birth" AS DATE) AS "date_of_birth",
      CAST("family_name" AS TEXT) AS "family_name",
      CAST("given_name" AS TEXT) AS "given_name"
    FROM SQLITE_QUERY(
      'registry',
      'SELECT "citizen_id", "date_of_birth", "family_name", "given_name" FROM "citizen" WHERE "citizen_id" IN (42, 43)'
    ) AS "sqlite"
  ) AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."gp_practice_code" AS "gp_practice_code",
    "t"."patient_id" AS "patient_id"
  FROM (
    SELECT
      CAST("gp_practice_code" AS TEXT) AS "gp_practice_code",
      CAST("patient_id" AS BIGINT) AS "patient_id"
    FROM SQLITE_QUERY(
      'health',
      'SELECT "gp_practice_code", "patient_id" FROM "patient" WHERE "patient_id" IN (1000)'
    ) AS "sqlite"
  ) AS "t"
  WHERE
    "t"."patient_id" IN (1000)
)
SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST("r1"."citizen_id" AS TEXT), CAST("r1"."given_name" AS TEXT), CAST("r1"."family_name" AS TEXT), CAST("r1"."date_of_birth" AS TEXT), 'Citizen', CASE
      WHEN NOT "r2"."patient_id" IS NULL
      THEN CAST(ROW(CAST("r2"."gp_practice_code" AS TEXT), 'Patient') AS STRUCT("practice" TEXT, "__typename" TEXT))
      ELSE NULL
    END) AS STRUCT(
      "id" TEXT,
      "givenName" TEXT,
      "surname" TEXT,
      "born" TEXT,
      "__typename" TEXT,
      "health" STRUCT("practice" TEXT, "__typename" TEXT)
    )) AS JSON)
  ) AS TEXT) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000),
    (1, 43, CAST(NULL AS BIGINT))
) AS "m"("position", "citizen", "link_health")
JOIN "r1"
  ON "r1"."citizen_id" = "m"."citizen"
LEFT JOIN "r2"
  ON "r2"."patient_id" = "m"."link_health";
