SET VARIABLE citizen_gateway_keys_1 = (
  SELECT
    COALESCE(
      NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(CAST("s"."x" AS BIGINT)))), ', '), ''),
      'NULL'
    )
  FROM (
    SELECT
      "p1"."local_id"
    FROM "registry"."registry"."person_link" AS "p1"
    WHERE
      "p1"."department" = 'housing' AND "p1"."primary_record" = TRUE
  ) AS "s"("x")
  WHERE
    NOT "s"."x" IS NULL
);
SELECT
  CAST(TO_JSON(CAST(CAST(ROW(CAST("t"."citizen_id" AS TEXT)) AS STRUCT("id" TEXT)) AS JSON)) AS TEXT) AS "node0",
  CAST("t"."citizen_id" AS TEXT) AS "sort0",
  "t"."citizen_id" AS "citizen"
FROM "registry"."registry"."citizen" AS "t"
WHERE
  (
    "t"."citizen_id" IN (
      SELECT
        "p1"."citizen_id"
      FROM "registry"."registry"."person_link" AS "p1"
      JOIN "socialcare"."socialcare"."client" AS "f1"
        ON "f1"."client_id" = "p1"."local_id"
      WHERE
        "p1"."department" = 'socialcare'
        AND "p1"."primary_record" = TRUE
        AND (
          "f1"."client_id" IN (
            SELECT
              "f2"."client_id"
            FROM "socialcare"."socialcare"."social_case" AS "f2"
            WHERE
              (
                "f2"."team" || ''
              ) = 'north-children' AND (
                "f2"."status" || ''
              ) = 'open'
          )
          AND NOT COALESCE(
            "f1"."client_id" IN (
              SELECT
                "f2"."client_id"
              FROM "socialcare"."socialcare"."social_case" AS "f2"
              WHERE
                (
                  "f2"."team" || ''
                ) = 'north-children'
                AND (
                  "f2"."category_of_need" || ''
                ) = 'N1'
            ),
            FALSE
          )
        )
    )
    AND NOT COALESCE(
      "t"."citizen_id" IN (
        SELECT
          "p1"."citizen_id"
        FROM "registry"."registry"."person_link" AS "p1"
        JOIN QUERY(
          'SELECT "f1"."tenant_id" FROM "housing"."housing"."tenant" AS "f1" WHERE "f1"."tenant_id" IN (' || GETVARIABLE('citizen_gateway_keys_1') || ')'
        ) AS "f1"
          ON "f1"."tenant_id" = "p1"."local_id"
        WHERE
          "p1"."department" = 'housing' AND "p1"."primary_record" = TRUE
      ),
      FALSE
    )
  )
ORDER BY
  "t"."citizen_id" ASC
LIMIT 21;
