SELECT
  "t"."citizen_id" AS "c0",
  "l1"."local_id" AS "c1"
FROM "registry"."registry"."citizen" AS "t"
LEFT JOIN "registry"."registry"."person_link" AS "l1"
  ON "l1"."citizen_id" = "t"."citizen_id"
  AND "l1"."department" = 'health'
  AND "l1"."primary_record" = TRUE
WHERE
  "t"."citizen_id" = 3;

WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id",
    "t"."date_of_birth" AS "date_of_birth",
    "t"."family_name" AS "family_name",
    "t"."given_name" AS "given_name"
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."gp_practice_code" AS "gp_practice_code",
    "t"."patient_id" AS "patient_id"
  FROM "health"."health"."patient" AS "t"
  WHERE
    "t"."patient_id" IN (1000)
)
SELECT
  JSON_FORMAT(
    CAST(CAST(ROW(
      CAST("r1"."citizen_id" AS VARCHAR),
      CAST("r1"."given_name" AS VARCHAR),
      CAST("r1"."family_name" AS VARCHAR),
      CAST("r1"."date_of_birth" AS VARCHAR),
      'Citizen',
      CASE
        WHEN NOT "r2"."patient_id" IS NULL
        THEN CAST(ROW(CAST("r2"."gp_practice_code" AS VARCHAR), 'Patient') AS ROW("practice" VARCHAR, "__typename" VARCHAR))
        ELSE NULL
      END
    ) AS ROW(
      "id" VARCHAR,
      "givenName" VARCHAR,
      "surname" VARCHAR,
      "born" VARCHAR,
      "__typename" VARCHAR,
      "health" ROW("practice" VARCHAR, "__typename" VARCHAR)
    )) AS JSON)
  ) AS "node0",
  "m"."citizen" AS "citizen"
FROM (
  VALUES
    (0, 42, 1000), (1, 43, CAST(NULL AS BIGINT))
) AS "m"("position", "citizen", "link_health")
JOIN "r1"
  ON "r1"."citizen_id" = "m"."citizen"
LEFT JOIN "r2"
  ON "r2"."patient_id" = "m"."link_health";
