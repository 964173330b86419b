-- Query.citizens: clear (policy.csv:136 (p, analyst, service_planning, Query.citizens, clear))
-- Citizen.id: pseudonym (policy.csv:137 (p, analyst, service_planning, Citizen.id, pseudonym))
-- Citizen.givenName: pseudonym (policy.csv:138 (p, analyst, service_planning, Citizen.givenName, pseudonym))
-- Citizen.dateOfBirth: year (policy.csv:140 (p, analyst, service_planning, Citizen.dateOfBirth, year))
-- Citizen.postcode: district (policy.csv:145 (p, analyst, service_planning, Citizen.postcode, district))
-- Citizen.ward: clear (policy.csv:146 (p, analyst, service_planning, Citizen.ward, clear))
-- Citizen.ageBand: age_band (policy.csv:150 (p, analyst, service_planning, Citizen.ageBand, age_band))
-- Citizen.health: clear (policy.csv:152 (p, analyst, service_planning, Citizen.health, clear))
-- Patient.nhsNumber: pseudonym (policy.csv:154 (p, analyst, service_planning, Patient.nhsNumber, pseudonym))
-- Patient.gpPracticeCode: clear (policy.csv:157 (p, analyst, service_planning, Patient.gpPracticeCode, clear))
-- rows of Citizen.health: not_opted_out (policy.csv:46 (p2, *, !direct_care, Citizen.health, not_opted_out))
SELECT
  "t"."citizen_id" AS "c0",
  CAST("t"."citizen_id" AS VARCHAR) AS "c1",
  "l1"."local_id" AS "c2"
FROM "registry"."registry"."citizen" AS "t"
LEFT JOIN "registry"."registry"."person_link" AS "l1"
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
  FROM "registry"."registry"."citizen" AS "t"
  WHERE
    "t"."citizen_id" IN (42, 43)
), "r2" AS (
  SELECT
    "t"."gp_practice_code" AS "gp_practice_code",
    "t"."nhs_number" AS "nhs_number",
    "t"."patient_id" AS "patient_id"
  FROM "health"."health"."patient" AS "t"
  WHERE
    "t"."patient_id" IN (1000)
)
SELECT
  JSON_FORMAT(
    CAST(CAST(ROW(
      CAST(CONCAT(
        'p-',
        SUBSTR(
          LOWER(
            TO_HEX(
              SHA256(TO_UTF8(CONCAT('golden-pseudonym-key|', CAST("r1"."citizen_id" AS VARCHAR))))
            )
          ),
          1,
          16
        )
      ) AS VARCHAR),
      CAST(CONCAT(
        'p-',
        SUBSTR(
          LOWER(
            TO_HEX(
              SHA256(TO_UTF8(CONCAT('golden-pseudonym-key|', CAST("r1"."given_name" AS VARCHAR))))
            )
          ),
          1,
          16
        )
      ) AS VARCHAR),
      CAST(CAST(DATE_TRUNC('YEAR', "r1"."date_of_birth") AS DATE) AS VARCHAR),
      CAST(SPLIT_PART(CAST("r1"."postcode" AS VARCHAR), ' ', 1) AS VARCHAR),
      CAST("r1"."ward" AS VARCHAR),
      CAST(CONCAT(
        CAST(CAST(TRUNCATE(
          CAST((
            YEAR(CURRENT_DATE) - YEAR("r1"."date_of_birth") - CASE
              WHEN MONTH(CURRENT_DATE) * 100 + DAY(CURRENT_DATE) < MONTH("r1"."date_of_birth") * 100 + DAY("r1"."date_of_birth")
              THEN 1
              ELSE 0
            END
          ) AS DOUBLE) / 10
        ) AS BIGINT) * 10 AS VARCHAR),
        '-',
        CAST(CAST(TRUNCATE(
          CAST((
            YEAR(CURRENT_DATE) - YEAR("r1"."date_of_birth") - CASE
              WHEN MONTH(CURRENT_DATE) * 100 + DAY(CURRENT_DATE) < MONTH("r1"."date_of_birth") * 100 + DAY("r1"."date_of_birth")
              THEN 1
              ELSE 0
            END
          ) AS DOUBLE) / 10
        ) AS BIGINT) * 10 + 9 AS VARCHAR)
      ) AS VARCHAR),
      CASE
        WHEN NOT "r2"."patient_id" IS NULL
        THEN CAST(ROW(
          CAST(CONCAT(
            'p-',
            SUBSTR(
              LOWER(
                TO_HEX(
                  SHA256(TO_UTF8(CONCAT('golden-pseudonym-key|', CAST("r2"."nhs_number" AS VARCHAR))))
                )
              ),
              1,
              16
            )
          ) AS VARCHAR),
          CAST("r2"."gp_practice_code" AS VARCHAR)
        ) AS ROW("nhsNumber" VARCHAR, "gpPracticeCode" VARCHAR))
        ELSE NULL
      END
    ) AS ROW(
      "id" VARCHAR,
      "givenName" VARCHAR,
      "dateOfBirth" VARCHAR,
      "postcode" VARCHAR,
      "ward" VARCHAR,
      "ageBand" VARCHAR,
      "health" ROW("nhsNumber" VARCHAR, "gpPracticeCode" VARCHAR)
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
