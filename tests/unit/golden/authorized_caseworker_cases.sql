-- Query.citizen: clear (policy.csv:51 (p, caseworker, direct_care, Query.citizen, clear))
-- Citizen.niNumber: partial (policy.csv:54 (p, caseworker, direct_care, Citizen.niNumber, partial))
-- Citizen.socialCare: clear (policy.csv:55 (p, caseworker, direct_care, socialcare:*, clear))
-- SocialCareClient.clientId: clear (policy.csv:55 (p, caseworker, direct_care, socialcare:*, clear))
-- SocialCareClient.cases: clear (policy.csv:55 (p, caseworker, direct_care, socialcare:*, clear))
-- SocialCase.caseId: clear (policy.csv:55 (p, caseworker, direct_care, socialcare:*, clear))
-- SocialCase.team: clear (policy.csv:55 (p, caseworker, direct_care, socialcare:*, clear))
-- SocialCase.status: clear (policy.csv:55 (p, caseworker, direct_care, socialcare:*, clear))
-- rows of SocialCase: own_team (policy.csv:48 (p2, caseworker, *, SocialCase, own_team))
SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1"
FROM "registry"."registry"."citizen" AS "t"
LEFT JOIN "registry"."registry"."person_link" AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'socialcare'
  AND "l1"."primary_record" = TRUE
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
    "t"."client_id" IN (1000) AND "t"."team" = 'north-children'
), "a4" AS (
  SELECT
    "r3"."client_id" AS "__parent",
    ARRAY_AGG(
      CAST(ROW(
        CAST("r3"."case_id" AS VARCHAR),
        CAST("r3"."team" AS VARCHAR),
        CASE "r3"."status" WHEN 'open' THEN 'OPEN' WHEN 'closed' THEN 'CLOSED' END
      ) AS ROW("caseId" VARCHAR, "team" VARCHAR, "status" VARCHAR)) ORDER BY "r3"."opened_on" DESC, "r3"."case_id" ASC
    ) AS "__items"
  FROM "r3"
  WHERE
    "r3"."__rank" <= 20
  GROUP BY
    "r3"."client_id"
)
SELECT
  JSON_FORMAT(
    CAST(CAST(ROW(
      CAST(CASE
        WHEN LENGTH(CAST("r1"."ni_number" AS VARCHAR)) > 4
        THEN LPAD(
          SUBSTR(CAST("r1"."ni_number" AS VARCHAR), LENGTH(CAST("r1"."ni_number" AS VARCHAR)) - 3),
          LENGTH(CAST("r1"."ni_number" AS VARCHAR)),
          '*'
        )
        ELSE LPAD('', LENGTH(CAST("r1"."ni_number" AS VARCHAR)), '*')
      END AS VARCHAR),
      CASE
        WHEN NOT "r2"."client_id" IS NULL
        THEN CAST(ROW(
          CAST("r2"."client_id" AS VARCHAR),
          COALESCE(
            "a4"."__items",
            CAST(ARRAY[] AS ARRAY(ROW("caseId" VARCHAR, "team" VARCHAR, "status" VARCHAR)))
          )
        ) AS ROW(
          "clientId" VARCHAR,
          "cases" ARRAY(ROW("caseId" VARCHAR, "team" VARCHAR, "status" VARCHAR))
        ))
        ELSE NULL
      END
    ) AS ROW(
      "niNumber" VARCHAR,
      "socialCare" ROW(
        "clientId" VARCHAR,
        "cases" ARRAY(ROW("caseId" VARCHAR, "team" VARCHAR, "status" VARCHAR))
      )
    )) AS JSON)
  ) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000), (1, 43, CAST(NULL AS BIGINT))
) AS "m"("position", "citizen", "link_socialcare")
JOIN "r1"
  ON "r1"."citizen_id" = "m"."citizen"
LEFT JOIN "r2"
  ON "r2"."client_id" = "m"."link_socialcare"
LEFT JOIN "a4"
  ON "a4"."__parent" = "r2"."client_id";
