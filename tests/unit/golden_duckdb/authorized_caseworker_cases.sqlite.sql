SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1"
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
  AND "l1"."department" = 'socialcare'
  AND "l1"."primary_record" = TRUE
  AND "l1"."citizen_id" IN (7)
WHERE
  "t"."citizen_id" = 7;

WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id",
    "t"."ni_number" AS "ni_number"
  FROM (
    SELECT
      CAST("citizen_id" AS BIGINT) AS "citizen_id",
      CAST("ni_number" AS TEXT) AS "ni_number"
    FROM SQLITE_QUERY(
      'registry',
      'SELECT "citizen_id", "ni_number" FROM "citizen" WHERE "citizen_id" IN (42, 43)'
    ) AS "sqlite"
  ) AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."client_id" AS "client_id"
  FROM (
    SELECT
      CAST("client_id" AS BIGINT) AS "client_id"
    FROM SQLITE_QUERY('socialcare', 'SELECT "client_id" FROM "client" WHERE "client_id" IN (1000)') AS "sqlite"
  ) AS "t"
  WHERE
    "t"."client_id" IN (1000)
), "r3" AS (
  SELECT
    "t"."case_id" AS "case_id",
    "t"."client_id" AS "client_id",
    "t"."opened_on" AS "opened_on",
    "t"."status" AS "status",
    "t"."team" AS "team",
    ROW_NUMBER() OVER (PARTITION BY "t"."client_id" ORDER BY "t"."opened_on" DESC, "t"."case_id" ASC) AS "__rank"
  FROM (
    SELECT
      CAST("case_id" AS BIGINT) AS "case_id",
      CAST("client_id" AS BIGINT) AS "client_id",
      CAST("opened_on" AS DATE) AS "opened_on",
      CAST("status" AS TEXT) AS "status",
      CAST("team" AS TEXT) AS "team"
    FROM SQLITE_QUERY(
      'socialcare',
      'SELECT "case_id", "client_id", "opened_on", "status", "team" FROM "social_case" WHERE "client_id" IN (1000)'
    ) AS "sqlite"
  ) AS "t"
  WHERE
    "t"."client_id" IN (1000) AND "t"."team" = 'north-children'
), "a4" AS (
  SELECT
    "r3"."client_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(CAST("r3"."case_id" AS TEXT), CAST("r3"."team" AS TEXT), CASE "r3"."status" WHEN 'open' THEN 'OPEN' WHEN 'closed' THEN 'CLOSED' END) AS STRUCT("caseId" TEXT, "team" TEXT, "status" TEXT)) ORDER BY "r3"."opened_on" DESC, "r3"."case_id" ASC
    ) AS "__items"
  FROM "r3"
  WHERE
    "r3"."__rank" <= 20
  GROUP BY
    "r3"."client_id"
)
SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST(CASE
      WHEN LENGTH(CAST("r1"."ni_number" AS TEXT)) > 4
      THEN LPAD(
        SUBSTRING(CAST("r1"."ni_number" AS TEXT), LENGTH(CAST("r1"."ni_number" AS TEXT)) - 3),
        CAST(LENGTH(CAST("r1"."ni_number" AS TEXT)) AS INT),
        '*'
      )
      ELSE LPAD('', CAST(LENGTH(CAST("r1"."ni_number" AS TEXT)) AS INT), '*')
    END AS TEXT), CASE
      WHEN NOT "r2"."client_id" IS NULL
      THEN CAST(ROW(CAST("r2"."client_id" AS TEXT), COALESCE("a4"."__items", CAST([] AS STRUCT("caseId" TEXT, "team" TEXT, "status" TEXT)[]))) AS STRUCT("clientId" TEXT, "cases" STRUCT("caseId" TEXT, "team" TEXT, "status" TEXT)[]))
      ELSE NULL
    END) AS STRUCT(
      "niNumber" TEXT,
      "socialCare" STRUCT("clientId" TEXT, "cases" STRUCT("caseId" TEXT, "team" TEXT, "status" TEXT)[])
    )) AS JSON)
  ) AS TEXT) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000),
    (1, 43, CAST(NULL AS BIGINT))
) AS "m"("position", "citizen", "link_socialcare")
JOIN "r1"
  ON "r1"."citizen_id" = "m"."citizen"
LEFT JOIN "r2"
  ON "r2"."client_id" = "m"."link_socialcare"
LEFT JOIN "a4"
  ON "a4"."__parent" = "r2"."client_id";
