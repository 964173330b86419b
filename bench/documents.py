"""The GraphQL documents every GraphQL path (the gateway, the naive server) is sent.

`VIEW` is the citizen 360° view: every registry field the records module shapes, and every
department with its nested lists (default `first`, 20). The hand-written paths (records.py,
trino_sql.py, direct.py) return exactly these fields, in the same JSON shape.
"""

from __future__ import annotations

VIEW = """
fragment View on Citizen {
  id givenName familyName dateOfBirth sex niNumber uprn postcode ward healthOptOut dateOfDeath
  health {
    patientId nhsNumber gpPracticeCode registeredOn
    encounters { encounterDate setting codeSystem diagnosisCode }
    prescriptions { prescribedOn medication dose isRepeat }
  }
  socialCare {
    clientId
    cases {
      caseId service team status openedOn closedOn categoryOfNeed primarySupportReason
      assessments { assessedOn assessmentType outcome }
    }
    safeguardingFlags { flagType raisedOn active }
  }
  education {
    pupilId upn senProvision freeSchoolMeals
    enrolments { schoolUrn schoolName entryDate leavingDate yearGroup }
    attendance { academicYear term possibleSessions attendedSessions authorisedAbsences unauthorisedAbsences }
    exclusions { startDate exclusionType sessions reason }
  }
  housing {
    tenantId
    tenancies {
      tenancyId uprn tenure startDate endDate
      rentAccount { weeklyRent balance arrearsWeeks }
      repairs { reportedOn category priority completedOn }
    }
  }
}
"""

LOOKUP_OPERATION = "CitizenView"
CASELOAD_OPERATION = "Caseload"
ANALYST_OPERATION = "AnalystPage"


def lookup(operation: str = LOOKUP_OPERATION) -> str:
    return f"query {operation}($id: ID!) {{ citizen(id: $id) {{ ...View }} }}\n{VIEW}"


def caseload(operation: str = CASELOAD_OPERATION) -> str:
    return (f"query {operation}($ids: [ID!], $first: Int) {{\n"
            f"  citizens(first: $first, where: {{id: {{in: $ids}}}}) {{ nodes {{ ...View }} }}\n"
            f"}}\n{VIEW}")


# The analyst's page: what the analyst role may read (id pseudonymised, date of birth as its
# year, ward in clear), narrowed by filters on fields it sees in clear. No cursor: the policy
# refuses cursors to analysts (they would carry the real citizen id).
ANALYST_PAGE = """
query AnalystPage($where: CitizenWhere, $first: Int) {
  citizens(first: $first, where: $where) {
    nodes { id ward dateOfBirth }
    pageInfo { hasNextPage }
  }
}
"""
