-- Query.citizens: clear (policy.csv:58 (p, caseworker, safeguarding, Query.citizens, clear))
-- Citizen.id: clear (policy.csv:59 (p, caseworker, safeguarding, Citizen.*, clear))
-- rows of SocialCase: own_team (policy.csv:48 (p2, caseworker, *, SocialCase, own_team))
SELECT
  JSON_FORMAT(CAST(CAST(ROW(CAST("t"."citizen_id" AS VARCHAR)) AS ROW("id" VARCHAR)) AS JSON)) AS "node0",
  CAST("t"."citizen_id" AS VARCHAR) AS "sort0",
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
              "f2"."team" = 'north-children' AND "f2"."status" = 'open'
          )
          AND NOT COALESCE(
            "f1"."client_id" IN (
              SELECT
                "f2"."client_id"
              FROM "socialcare"."socialcare"."social_case" AS "f2"
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
        FROM "registry"."registry"."person_link" AS "p1"
        JOIN "housing"."housing"."tenant" AS "f1"
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
