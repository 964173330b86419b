SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST("t"."citizen_id" AS TEXT), CAST("t"."family_name" AS TEXT)) AS STRUCT("id" TEXT, "familyName" TEXT)) AS JSON)
  ) AS TEXT) AS "node0",
  CAST("t"."citizen_id" AS TEXT) AS "sort0",
  "t"."citizen_id" AS "citizen"
FROM (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id",
    CAST("family_name" AS TEXT) AS "family_name"
  FROM SQLITE_QUERY('registry', 'SELECT "citizen_id", "family_name" FROM "citizen"') AS "sqlite"
) AS "t"
WHERE
  (
    "t"."citizen_id" IN (
      SELECT
        "p1"."citizen_id"
      FROM (
        SELECT
          CAST("citizen_id" AS BIGINT) AS "citizen_id",
          CAST("department" AS TEXT) AS "department",
          CAST("local_id" AS BIGINT) AS "local_id",
          CAST("primary_record" AS BOOLEAN) AS "primary_record"
        FROM SQLITE_QUERY(
          'registry',
          'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link"'
        ) AS "sqlite"
      ) AS "p1"
      JOIN (
        SELECT
          CAST("encounter_date" AS DATE) AS "encounter_date",
          CAST("patient_id" AS BIGINT) AS "patient_id",
          CAST("setting" AS TEXT) AS "setting"
        FROM SQLITE_QUERY('health', 'SELECT "encounter_date", "patient_id", "setting" FROM "encounter"') AS "sqlite"
      ) AS "f1"
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
      FROM (
        SELECT
          CAST("citizen_id" AS BIGINT) AS "citizen_id",
          CAST("department" AS TEXT) AS "department",
          CAST("local_id" AS BIGINT) AS "local_id",
          CAST("primary_record" AS BOOLEAN) AS "primary_record"
        FROM SQLITE_QUERY(
          'registry',
          'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link"'
        ) AS "sqlite"
      ) AS "p1"
      JOIN (
        SELECT
          CAST("client_id" AS BIGINT) AS "client_id",
          CAST("service" AS TEXT) AS "service",
          CAST("status" AS TEXT) AS "status"
        FROM SQLITE_QUERY('socialcare', 'SELECT "client_id", "service", "status" FROM "social_case"') AS "sqlite"
      ) AS "f1"
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
      FROM (
        SELECT
          CAST("citizen_id" AS BIGINT) AS "citizen_id",
          CAST("department" AS TEXT) AS "department",
          CAST("local_id" AS BIGINT) AS "local_id",
          CAST("primary_record" AS BOOLEAN) AS "primary_record"
        FROM SQLITE_QUERY(
          'registry',
          'SELECT "citizen_id", "department", "local_id", "primary_record" FROM "person_link"'
        ) AS "sqlite"
      ) AS "p1"
      JOIN (
        SELECT
          CAST("pupil_id" AS BIGINT) AS "pupil_id",
          CAST("unauthorised_absences" AS BIGINT) AS "unauthorised_absences"
        FROM SQLITE_QUERY('education', 'SELECT "pupil_id", "unauthorised_absences" FROM "attendance"') AS "sqlite"
      ) AS "f1"
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
