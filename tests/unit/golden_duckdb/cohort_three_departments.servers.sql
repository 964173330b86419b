SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST("t"."citizen_id" AS TEXT), CAST("t"."family_name" AS TEXT)) AS STRUCT("id" TEXT, "familyName" TEXT)) AS JSON)
  ) AS TEXT) AS "node0",
  CAST("t"."citizen_id" AS TEXT) AS "sort0",
  "t"."citizen_id" AS "citizen"
FROM "registry"."registry"."citizen" AS "t"
WHERE
  (
    "t"."citizen_id" IN (
      SELECT
        "p1"."citizen_id"
      FROM "registry"."registry"."person_link" AS "p1"
      JOIN "health"."health"."encounter" AS "f1"
        ON "f1"."patient_id" = "p1"."local_id"
      WHERE
        "p1"."department" = 'health'
        AND "p1"."primary_record" = TRUE
        AND (
          "f1"."encounter_date" >= CAST('2025-04-01' AS DATE)
          AND "f1"."setting" = 'emergency'
        )
    )
    AND "t"."citizen_id" IN (
      SELECT
        "p1"."citizen_id"
      FROM "registry"."registry"."person_link" AS "p1"
      JOIN "socialcare"."socialcare"."social_case" AS "f1"
        ON "f1"."client_id" = "p1"."local_id"
      WHERE
        "p1"."department" = 'socialcare'
        AND "p1"."primary_record" = TRUE
        AND (
          "f1"."status" = 'open' AND "f1"."service" = 'children'
        )
    )
    AND "t"."citizen_id" IN (
      SELECT
        "p1"."citizen_id"
      FROM "registry"."registry"."person_link" AS "p1"
      JOIN "education"."education"."attendance" AS "f1"
        ON "f1"."pupil_id" = "p1"."local_id"
      WHERE
        "p1"."department" = 'education'
        AND "p1"."primary_record" = TRUE
        AND "f1"."unauthorised_absences" >= 10
    )
  )
ORDER BY
  "t"."citizen_id" ASC
LIMIT 51;
