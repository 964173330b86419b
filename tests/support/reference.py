"""Hand-written SQL straight to each department database: what the citizen view must equal.

This is written independently of the gateway's compiler (its own SQL, each database's own driver,
the reader accounts), so a test comparing the two checks the whole path: contract, planner,
compiler, Trino's federation and the shaping of the JSON.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg
import pymysql

from stack.settings import DEPARTMENTS, HOST, Settings

FULL_VIEW = """
query FullView($id: ID!) {
  citizen(id: $id) {
    id givenName familyName dateOfBirth sex niNumber uprn postcode ward healthOptOut dateOfDeath
    health {
      patientId nhsNumber gpPracticeCode registeredOn
      encounters { encounterDate setting codeSystem diagnosisCode }
      prescriptions { prescribedOn medication isRepeat }
    }
    socialCare {
      clientId
      cases { caseId service team status openedOn closedOn categoryOfNeed
              assessments { assessedOn assessmentType outcome } }
      safeguardingFlags { flagType raisedOn active }
    }
    education {
      pupilId upn senProvision freeSchoolMeals
      enrolments { schoolUrn schoolName entryDate leavingDate yearGroup }
      attendance { academicYear term possibleSessions attendedSessions unauthorisedAbsences }
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
}
"""

MARIADB = frozenset(d.name for d in DEPARTMENTS if d.engine == "mariadb")
LIMIT = 20  # the contract's default `first` for nested lists


def _value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _enum(value: str | None) -> str | None:
    if value is None:
        return None
    return {"ICD-10": "ICD_10"}.get(value, value.upper())


class Reference:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()

    @contextmanager
    def _postgres(self, department: str) -> Iterator[Any]:
        with psycopg.connect(host=HOST, port=self.settings.postgres_port, dbname=department,
                             user=f"{department}_reader",
                             password=self.settings.reader_password(department),
                             connect_timeout=5) as connection:
            yield connection.cursor()

    @contextmanager
    def _mariadb(self, department: str) -> Iterator[Any]:
        connection = pymysql.connect(host=HOST, port=self.settings.mariadb_port,
                                     database=department, user=f"{department}_reader",
                                     password=self.settings.reader_password(department),
                                     connect_timeout=5)
        try:
            yield connection.cursor()
        finally:
            connection.close()

    @contextmanager
    def cursor(self, department: str) -> Iterator[Any]:
        """A cursor on the department's own database, its tables unqualified (as the cohorts'
        hand-written SQL names them)."""
        if department in MARIADB:
            with self._mariadb(department) as cursor:
                yield cursor
        else:
            with self._postgres(department) as cursor:
                cursor.execute(f"SET search_path TO {department}")
                yield cursor

    @staticmethod
    def _rows(cursor: Any, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [{name: _value(v) for name, v in zip(names, row, strict=True)}
                for row in cursor.fetchall()]

    def citizen_ids(self) -> list[int]:
        with self._postgres("registry") as cursor:
            cursor.execute("SELECT citizen_id FROM registry.citizen ORDER BY citizen_id")
            return [row[0] for row in cursor.fetchall()]

    def full_view(self, citizen_id: int) -> dict[str, Any] | None:
        with self._postgres("registry") as cursor:
            found = self._rows(cursor, """
                SELECT citizen_id, given_name, family_name, date_of_birth, sex, ni_number, uprn,
                       postcode, ward, health_opt_out, date_of_death
                FROM registry.citizen WHERE citizen_id = %s""", (citizen_id,))
            if not found:
                return None
            links = dict(cursor.execute(
                "SELECT department, local_id FROM registry.person_link WHERE citizen_id = %s",
                (citizen_id,)).fetchall())
        c = found[0]
        return {
            "id": str(c["citizen_id"]), "givenName": c["given_name"],
            "familyName": c["family_name"], "dateOfBirth": c["date_of_birth"], "sex": c["sex"],
            "niNumber": c["ni_number"], "uprn": None if c["uprn"] is None else str(c["uprn"]),
            "postcode": c["postcode"], "ward": c["ward"], "healthOptOut": c["health_opt_out"],
            "dateOfDeath": c["date_of_death"],
            "health": self._health(links["health"]) if "health" in links else None,
            "socialCare": self._social_care(links["socialcare"]) if "socialcare" in links else None,
            "education": self._education(links["education"]) if "education" in links else None,
            "housing": self._housing(links["housing"]) if "housing" in links else None,
        }

    def _health(self, patient_id: int) -> dict[str, Any] | None:
        with self._postgres("health") as cursor:
            patient = self._rows(cursor, """SELECT patient_id, nhs_number, gp_practice_code,
                registered_on FROM health.patient WHERE patient_id = %s""", (patient_id,))
            if not patient:
                return None
            encounters = self._rows(cursor, """SELECT encounter_date, setting, code_system,
                diagnosis_code FROM health.encounter WHERE patient_id = %s
                ORDER BY encounter_date DESC, encounter_id LIMIT %s""", (patient_id, LIMIT))
            prescriptions = self._rows(cursor, """SELECT prescribed_on, medication, is_repeat
                FROM health.prescription WHERE patient_id = %s
                ORDER BY prescribed_on DESC, prescription_id LIMIT %s""", (patient_id, LIMIT))
        p = patient[0]
        return {
            "patientId": str(p["patient_id"]), "nhsNumber": p["nhs_number"],
            "gpPracticeCode": p["gp_practice_code"], "registeredOn": p["registered_on"],
            "encounters": [{"encounterDate": e["encounter_date"], "setting": _enum(e["setting"]),
                            "codeSystem": _enum(e["code_system"]),
                            "diagnosisCode": e["diagnosis_code"]} for e in encounters],
            "prescriptions": [{"prescribedOn": r["prescribed_on"], "medication": r["medication"],
                               "isRepeat": r["is_repeat"]} for r in prescriptions],
        }

    def _social_care(self, client_id: int) -> dict[str, Any] | None:
        with self._mariadb("socialcare") as cursor:
            if not self._rows(cursor, "SELECT client_id FROM client WHERE client_id = %s",
                              (client_id,)):
                return None
            cases = self._rows(cursor, """SELECT case_id, service, team, status, opened_on,
                closed_on, category_of_need FROM social_case WHERE client_id = %s
                ORDER BY opened_on DESC, case_id LIMIT %s""", (client_id, LIMIT))
            for case in cases:
                case["assessments"] = self._rows(cursor, """SELECT assessed_on, assessment_type,
                    outcome FROM assessment WHERE case_id = %s
                    ORDER BY assessed_on DESC, assessment_id LIMIT %s""", (case["case_id"], LIMIT))
            flags = self._rows(cursor, """SELECT flag_type, raised_on, active
                FROM safeguarding_flag WHERE client_id = %s
                ORDER BY raised_on DESC, flag_id LIMIT %s""", (client_id, LIMIT))
        return {
            "clientId": str(client_id),
            "cases": [{
                "caseId": str(k["case_id"]), "service": _enum(k["service"]), "team": k["team"],
                "status": _enum(k["status"]), "openedOn": k["opened_on"], "closedOn": k["closed_on"],
                "categoryOfNeed": k["category_of_need"],
                "assessments": [{"assessedOn": a["assessed_on"],
                                 "assessmentType": a["assessment_type"], "outcome": a["outcome"]}
                                for a in k["assessments"]],
            } for k in cases],
            "safeguardingFlags": [{"flagType": f["flag_type"], "raisedOn": f["raised_on"],
                                   "active": bool(f["active"])} for f in flags],
        }

    def _education(self, pupil_id: int) -> dict[str, Any] | None:
        with self._mariadb("education") as cursor:
            pupil = self._rows(cursor, """SELECT pupil_id, upn, sen_provision, free_school_meals
                FROM pupil WHERE pupil_id = %s""", (pupil_id,))
            if not pupil:
                return None
            enrolments = self._rows(cursor, """SELECT school_urn, school_name, entry_date,
                leaving_date, year_group FROM enrolment WHERE pupil_id = %s
                ORDER BY entry_date DESC, enrolment_id LIMIT %s""", (pupil_id, LIMIT))
            attendance = self._rows(cursor, """SELECT academic_year, term, possible_sessions,
                attended_sessions, unauthorised_absences FROM attendance WHERE pupil_id = %s
                ORDER BY academic_year DESC, term, attendance_id LIMIT %s""", (pupil_id, LIMIT))
            exclusions = self._rows(cursor, """SELECT start_date, exclusion_type, sessions, reason
                FROM exclusion WHERE pupil_id = %s
                ORDER BY start_date DESC, exclusion_id LIMIT %s""", (pupil_id, LIMIT))
        p = pupil[0]
        return {
            "pupilId": str(p["pupil_id"]), "upn": p["upn"],
            "senProvision": _enum(p["sen_provision"]),
            "freeSchoolMeals": bool(p["free_school_meals"]),
            "enrolments": [{"schoolUrn": e["school_urn"], "schoolName": e["school_name"],
                            "entryDate": e["entry_date"], "leavingDate": e["leaving_date"],
                            "yearGroup": e["year_group"]} for e in enrolments],
            "attendance": [{"academicYear": a["academic_year"], "term": _enum(a["term"]),
                            "possibleSessions": a["possible_sessions"],
                            "attendedSessions": a["attended_sessions"],
                            "unauthorisedAbsences": a["unauthorised_absences"]} for a in attendance],
            "exclusions": [{"startDate": x["start_date"], "exclusionType": _enum(x["exclusion_type"]),
                            "sessions": x["sessions"], "reason": x["reason"]} for x in exclusions],
        }

    def _housing(self, tenant_id: int) -> dict[str, Any] | None:
        with self._postgres("housing") as cursor:
            if not self._rows(cursor, "SELECT tenant_id FROM housing.tenant WHERE tenant_id = %s",
                              (tenant_id,)):
                return None
            tenancies = self._rows(cursor, """SELECT tenancy_id, uprn, tenure, start_date, end_date
                FROM housing.tenancy WHERE tenant_id = %s
                ORDER BY start_date DESC, tenancy_id LIMIT %s""", (tenant_id, LIMIT))
            for tenancy in tenancies:
                account = self._rows(cursor, """SELECT weekly_rent, balance, arrears_weeks
                    FROM housing.rent_account WHERE tenancy_id = %s""", (tenancy["tenancy_id"],))
                tenancy["rentAccount"] = ({"weeklyRent": account[0]["weekly_rent"],
                                           "balance": account[0]["balance"],
                                           "arrearsWeeks": account[0]["arrears_weeks"]}
                                          if account else None)
                tenancy["repairs"] = self._rows(cursor, """SELECT reported_on, category, priority,
                    completed_on FROM housing.repair WHERE tenancy_id = %s
                    ORDER BY reported_on DESC, repair_id LIMIT %s""", (tenancy["tenancy_id"], LIMIT))
        return {
            "tenantId": str(tenant_id),
            "tenancies": [{
                "tenancyId": str(t["tenancy_id"]), "uprn": str(t["uprn"]),
                "tenure": _enum(t["tenure"]), "startDate": t["start_date"],
                "endDate": t["end_date"], "rentAccount": t["rentAccount"],
                "repairs": [{"reportedOn": r["reported_on"], "category": r["category"],
                             "priority": _enum(r["priority"]), "completedOn": r["completed_on"]}
                            for r in t["repairs"]],
            } for t in tenancies],
        }
