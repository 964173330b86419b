SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1"
FROM "registry"."registry"."citizen" AS "t"
LEFT JOIN "registry"."registry"."person_link" AS "l1"
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
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."client_id" AS "client_id"
  FROM "socialcare"."socialcare"."client" AS "t"
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
  FROM "socialcare"."socialcare"."social_case" AS "t"
  WHERE
    "t"."client_id" IN (1000) AND (
      "t"."team" || ''
    ) = 'north-children'
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
