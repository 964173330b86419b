SELECT
  CAST(TO_JSON(
    CAST(CAST(ROW(CAST("t"."citizen_id" AS TEXT), CAST("t"."family_name" AS TEXT), CAST("t"."date_of_birth" AS TEXT)) AS STRUCT("id" TEXT, "familyName" TEXT, "dateOfBirth" TEXT)) AS JSON)
  ) AS TEXT) AS "node0",
  CAST("t"."family_name" AS TEXT) AS "sort0",
  CAST("t"."date_of_birth" AS TEXT) AS "sort1",
  CAST("t"."citizen_id" AS TEXT) AS "sort2",
  "t"."citizen_id" AS "citizen"
FROM "registry"."registry"."citizen" AS "t"
WHERE
  (
    (
      "t"."date_of_birth" >= CAST('2010-01-01' AS DATE)
      OR "t"."family_name" LIKE 'O''Br%' ESCAPE '\'
    )
    AND NOT (
      CAST("t"."health_opt_out" AS BOOLEAN) = TRUE
    )
    AND "t"."ward" IN ('Ladywood', 'Edgbaston')
  )
  AND (
    (
      "t"."family_name" > 'Smith'
    )
    OR (
      "t"."family_name" = 'Smith' AND "t"."date_of_birth" < CAST('1990-05-04' AS DATE)
    )
    OR (
      "t"."family_name" = 'Smith'
      AND "t"."date_of_birth" = CAST('1990-05-04' AS DATE)
      AND "t"."citizen_id" > 1234
    )
  )
ORDER BY
  "t"."family_name" ASC,
  "t"."date_of_birth" DESC,
  "t"."citizen_id" ASC
LIMIT 11;
