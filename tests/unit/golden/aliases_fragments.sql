WITH "r1" AS (
  SELECT
    "t"."citizen_id" AS "citizen_id",
    "t"."date_of_birth" AS "date_of_birth",
    "t"."family_name" AS "family_name",
    "t"."given_name" AS "given_name"
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" = 3
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
    "t"."patient_id" AS "patient_id"
  FROM "health"."health"."patient" AS "t"
  WHERE
    "t"."patient_id" IN (
      SELECT
        "l2"."__local"
      FROM "l2" AS "l2"
    )
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
        WHEN NOT "r3"."patient_id" IS NULL
        THEN CAST(ROW(CAST("r3"."gp_practice_code" AS VARCHAR), 'Patient') AS ROW("practice" VARCHAR, "__typename" VARCHAR))
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
  ) AS "node",
  "r1"."citizen_id" AS "citizen"
FROM "r1"
LEFT JOIN "l2"
  ON "l2"."__citizen" = "r1"."citizen_id"
LEFT JOIN "r3"
  ON "r3"."patient_id" = "l2"."__local";
