SET VARIABLE citizen_gateway_keys_1 = (
  SELECT
    COALESCE(
      NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(CAST("s"."x" AS BIGINT)))), ', '), ''),
      'NULL'
    )
  FROM (
    SELECT
      "p1"."local_id"
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
FROM (
  SELECT
    CAST("citizen_id" AS BIGINT) AS "citizen_id"
  FROM SQLITE_QUERY('registry', 'SELECT "citizen_id" FROM "citizen"') AS "sqlite"
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
          CAST("client_id" AS BIGINT) AS "client_id"
        FROM SQLITE_QUERY('socialcare', 'SELECT "client_id" FROM "client"') AS "sqlite"
      ) AS "f1"
        ON "f1"."client_id" = "p1"."local_id"
      WHERE
        "p1"."department" = 'socialcare'
        AND "p1"."primary_record" = TRUE
        AND (
          "f1"."client_id" IN (
            SELECT
              "f2"."client_id"
            FROM (
              SELECT
                CAST("client_id" AS BIGINT) AS "client_id",
                CAST("status" AS TEXT) AS "status",
                CAST("team" AS TEXT) AS "team"
              FROM SQLITE_QUERY('socialcare', 'SELECT "client_id", "status", "team" FROM "social_case"') AS "sqlite"
            ) AS "f2"
            WHERE
              "f2"."team" = 'north-children' AND "f2"."status" = 'open'
          )
          AND NOT COALESCE(
            "f1"."client_id" IN (
              SELECT
                "f2"."client_id"
              FROM (
                SELECT
                  CAST("category_of_need" AS TEXT) AS "category_of_need",
                  CAST("client_id" AS BIGINT) AS "client_id",
                  CAST("team" AS TEXT) AS "team"
                FROM SQLITE_QUERY('socialcare', 'SELECT "category_of_need", "client_id", "team" FROM "social_case"') AS "sqlite"
              ) AS "f2"
              WHERE
                "f2"."team" = 'north-children' AND "f2"."category_of_need" = 'N1'
            ),
            FALSE
          )
        )
    )
    AND NOT COALESCE(
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
            CAST("tenant_id" AS BIGINT) AS "tenant_id"
          FROM SQLITE_QUERY(
            'housing',
            'SELECT "tenant_id" FROM "tenant" WHERE "tenant_id" IN (' || GETVARIABLE('citizen_gateway_keys_1') || ')'
          ) AS "sqlite"
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
