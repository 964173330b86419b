SET VARIABLE citizen_gateway_keys_1 = (
  SELECT
    COALESCE(
      NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(CAST("s"."x" AS BIGINT)))), ', '), ''),
      'NULL'
    )
  FROM (
    SELECT
      "t"."citizen_id"
    FROM (
      SELECT
        CAST("citizen_id" AS BIGINT) AS "citizen_id",
        CAST("health_opt_out" AS BOOLEAN) AS "health_opt_out",
        CAST("ward" AS TEXT) AS "ward"
      FROM SQLITE_QUERY('registry', 'SELECT "citizen_id", "health_opt_out", "ward" FROM "citizen"') AS "sqlite"
    ) AS "t"
    WHERE
      "t"."ward" = 'Ladywood'
    ORDER BY
      "t"."citizen_id" ASC
    LIMIT 4
  ) AS "s"("x")
  WHERE
    NOT "s"."x" IS NULL
);
SELECT
  "t"."citizen_id" AS "c0",
  CAST("t"."citizen_id" AS TEXT) AS "c1",
  "l1"."local_id" AS "c2"
FROM (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id",
    CAST("health_opt_out" AS BOOLEAN) AS "health_opt_out",
    CAST("ward" AS TEXT) AS "ward"
  FROM SQLITE_QUERY('registry', 'SELECT "citizen_id", "health_opt_out", "ward" FROM "citizen"') AS "sqlite"
) AS "t"
LEFT JOIN (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id",
    CAST("department" AS TEXT) AS "department",
    CAST("local_id" AS BIGINT) AS "local_id",
    CAST("primary_record" AS BOOLEAN) AS "primary_record"
  FROM SQLITE_QUERY(
    'registry',
    'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link" WHERE "citizen_id" IN (' || GETVARIABLE('citizen_gateway_keys_1') || ')'
  ) AS "sqlite"
) AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'health'
  AND "l1"."primary_record" = TRUE
  AND CAST("t"."health_opt_out" AS BOOLEAN) = FALSE
WHERE
  "t"."ward" = 'Ladywood'
ORDER BY
  "t"."citizen_id" ASC
LIMIT 4;

WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id",
    "t"."date_of_birth" AS "date_of_birth",
    "t"."given_name" AS "given_name",
    "t"."health_opt_out" AS "health_opt_out",
    "t"."postcode" AS "postcode",
    "t"."ward" AS "ward"
  FROM (
    SELECT
      CAST("citizen_id" AS BIGINT) AS "citizen_id",
      CAST("date_of_birth" AS DATE) AS "date_of_birth",
      CAST("given_name" AS TEXT) AS "given_name",
      CAST("health_opt_out" AS BOOLEAN) AS "health_opt_out",
      CAST("postcode" AS TEXT) AS "postcode",
      CAST("ward" AS TEXT) AS "ward"
    FROM SQLITE_QUERY(
      'registry',
      'SELECT "citizen_id", "date_of_birth", "given_name", "health_opt_out", "postcode", "ward" FROM "citizen" WHERE "citizen_id" IN (42, 43)'
    ) AS "sqlite"
  ) AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."gp_practice_code" AS "gp_practice_code",
    "t"."nhs_number" AS "nhs_number",
    "t"."patient_id" AS "patient_id"
  FROM (
    SELECT
      CAST("gp_practice_code" AS TEXT) AS "gp_practice_code",
      CAST("nhs_number" AS TEXT) AS "nhs_number",
      CAST("patient_id" AS BIGINT) AS "patient_id"
    FROM SQLITE_QUERY(
      'health',
      'SELECT "gp_practice_code", "nhs_number", "patient_id" FROM "patient" WHERE "patient_id" IN (1000)'
    ) AS "sqlite"
  ) AS "t"
  WHERE
    "t"."patient_id" IN (1000)
)
SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST('p-' || SUBSTRING(SHA256(ENCODE('golden-pseudonym-key|' || CAST("r1"."citizen_id" AS TEXT))), 1, 16) AS TEXT), CAST('p-' || SUBSTRING(SHA256(ENCODE('golden-pseudonym-key|' || CAST("r1"."given_name" AS TEXT))), 1, 16) AS TEXT), CAST(CAST(DATE_TRUNC('YEAR', "r1"."date_of_birth") AS DATE) AS TEXT), CAST(SPLIT_PART(CAST("r1"."postcode" AS TEXT), ' ', 1) AS TEXT), CAST("r1"."ward" AS TEXT), CAST(CAST((
      YEAR(CURRENT_DATE) - YEAR("r1"."date_of_birth") - CASE
        WHEN MONTH(CURRENT_DATE) * 100 + DAY(CURRENT_DATE) < MONTH("r1"."date_of_birth") * 100 + DAY("r1"."date_of_birth")
        THEN 1
        ELSE 0
      END
    ) // 10 * 10 AS TEXT) || '-' || CAST((
      YEAR(CURRENT_DATE) - YEAR("r1"."date_of_birth") - CASE
        WHEN MONTH(CURRENT_DATE) * 100 + DAY(CURRENT_DATE) < MONTH("r1"."date_of_birth") * 100 + DAY("r1"."date_of_birth")
        THEN 1
        ELSE 0
      END
    ) // 10 * 10 + 9 AS TEXT) AS TEXT), CASE
      WHEN NOT "r2"."patient_id" IS NULL
      THEN CAST(ROW(CAST('p-' || SUBSTRING(SHA256(ENCODE('golden-pseudonym-key|' || CAST("r2"."nhs_number" AS TEXT))), 1, 16) AS TEXT), CAST("r2"."gp_practice_code" AS TEXT)) AS STRUCT("nhsNumber" TEXT, "gpPracticeCode" TEXT))
      ELSE NULL
    END) AS STRUCT(
      "id" TEXT,
      "givenName" TEXT,
      "dateOfBirth" TEXT,
      "postcode" TEXT,
      "ward" TEXT,
      "ageBand" TEXT,
      "health" STRUCT("nhsNumber" TEXT, "gpPracticeCode" TEXT)
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
