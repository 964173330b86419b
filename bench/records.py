"""Database rows in the JSON shape of documents.VIEW, for the paths that do not go through GraphQL.

Each department table is read with the columns named here, in this order, by the hand-written
Trino SQL (trino_sql.py), the direct queries (direct.py) and the naive server's resolvers
(naive.py); each function below turns one such row into the object the gateway answers with.
Values follow the contract: ids and UPRNs as strings, dates as ISO text, enums by their GraphQL
name, money as floats, MariaDB's BOOLEAN (TINYINT) as true/false.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

LIMIT = 20  # the contract's default `first` on every nested list

Row = Sequence[Any]

# (table, columns read, key, parent column, order of a nested list), per department.
CITIZEN = ("citizen", "citizen_id, given_name, family_name, date_of_birth, sex, ni_number, uprn, "
           "postcode, ward, health_opt_out, date_of_death")
PATIENT = "patient_id, nhs_number, gp_practice_code, registered_on"
ENCOUNTER = "encounter_date, setting, code_system, diagnosis_code"
ENCOUNTER_ORDER = "encounter_date DESC, encounter_id"
PRESCRIPTION = "prescribed_on, medication, dose, is_repeat"
PRESCRIPTION_ORDER = "prescribed_on DESC, prescription_id"
CASE = ("case_id, service, team, status, opened_on, closed_on, category_of_need, "
        "primary_support_reason")
CASE_ORDER = "opened_on DESC, case_id"
ASSESSMENT = "assessed_on, assessment_type, outcome"
ASSESSMENT_ORDER = "assessed_on DESC, assessment_id"
FLAG = "flag_type, raised_on, active"
FLAG_ORDER = "raised_on DESC, flag_id"
PUPIL = "pupil_id, upn, sen_provision, free_school_meals"
ENROLMENT = "school_urn, school_name, entry_date, leaving_date, year_group"
ENROLMENT_ORDER = "entry_date DESC, enrolment_id"
ATTENDANCE = ("academic_year, term, possible_sessions, attended_sessions, authorised_absences, "
              "unauthorised_absences")
ATTENDANCE_ORDER = "academic_year DESC, term, attendance_id"
EXCLUSION = "start_date, exclusion_type, sessions, reason"
EXCLUSION_ORDER = "start_date DESC, exclusion_id"
TENANCY = "tenancy_id, uprn, tenure, start_date, end_date"
TENANCY_ORDER = "start_date DESC, tenancy_id"
RENT_ACCOUNT = "weekly_rent, balance, arrears_weeks"
REPAIR = "reported_on, category, priority, completed_on"
REPAIR_ORDER = "reported_on DESC, repair_id"


def _date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _enum(value: str | None) -> str | None:
    if value is None:
        return None
    return {"ICD-10": "ICD_10"}.get(value, value.upper())


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def citizen(row: Row) -> dict[str, Any]:
    (citizen_id, given, family, born, sex, ni, uprn, postcode, ward, opt_out, died) = row
    return {"id": str(citizen_id), "givenName": given, "familyName": family,
            "dateOfBirth": _date(born), "sex": sex, "niNumber": ni, "uprn": _text(uprn),
            "postcode": postcode, "ward": ward, "healthOptOut": bool(opt_out),
            "dateOfDeath": _date(died),
            "health": None, "socialCare": None, "education": None, "housing": None}


def patient(row: Row, encounters: list[dict[str, Any]],
            prescriptions: list[dict[str, Any]]) -> dict[str, Any]:
    patient_id, nhs, practice, registered = row
    return {"patientId": str(patient_id), "nhsNumber": nhs, "gpPracticeCode": practice,
            "registeredOn": _date(registered), "encounters": encounters,
            "prescriptions": prescriptions}


def encounter(row: Row) -> dict[str, Any]:
    date, setting, system, code = row
    return {"encounterDate": _date(date), "setting": _enum(setting),
            "codeSystem": _enum(system), "diagnosisCode": code}


def prescription(row: Row) -> dict[str, Any]:
    date, medication, dose, repeat = row
    return {"prescribedOn": _date(date), "medication": medication, "dose": dose,
            "isRepeat": bool(repeat)}


def client(client_id: Any, cases: list[dict[str, Any]],
           flags: list[dict[str, Any]]) -> dict[str, Any]:
    return {"clientId": str(client_id), "cases": cases, "safeguardingFlags": flags}


def social_case(row: Row, assessments: list[dict[str, Any]]) -> dict[str, Any]:
    case_id, service, team, status, opened, closed, need, reason = row
    return {"caseId": str(case_id), "service": _enum(service), "team": team,
            "status": _enum(status), "openedOn": _date(opened), "closedOn": _date(closed),
            "categoryOfNeed": need, "primarySupportReason": reason, "assessments": assessments}


def assessment(row: Row) -> dict[str, Any]:
    date, kind, outcome = row
    return {"assessedOn": _date(date), "assessmentType": kind, "outcome": outcome}


def flag(row: Row) -> dict[str, Any]:
    kind, raised, active = row
    return {"flagType": kind, "raisedOn": _date(raised), "active": bool(active)}


def pupil(row: Row, enrolments: list[dict[str, Any]], attendance_: list[dict[str, Any]],
          exclusions: list[dict[str, Any]]) -> dict[str, Any]:
    pupil_id, upn, sen, meals = row
    return {"pupilId": str(pupil_id), "upn": upn, "senProvision": _enum(sen),
            "freeSchoolMeals": bool(meals), "enrolments": enrolments,
            "attendance": attendance_, "exclusions": exclusions}


def enrolment(row: Row) -> dict[str, Any]:
    urn, school, entry, leaving, year_group = row
    return {"schoolUrn": urn, "schoolName": school, "entryDate": _date(entry),
            "leavingDate": _date(leaving), "yearGroup": year_group}


def attendance(row: Row) -> dict[str, Any]:
    year, term, possible, attended, authorised, unauthorised = row
    return {"academicYear": year, "term": _enum(term), "possibleSessions": possible,
            "attendedSessions": attended, "authorisedAbsences": authorised,
            "unauthorisedAbsences": unauthorised}


def exclusion(row: Row) -> dict[str, Any]:
    start, kind, sessions, reason = row
    return {"startDate": _date(start), "exclusionType": _enum(kind), "sessions": sessions,
            "reason": reason}


def tenant(tenant_id: Any, tenancies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tenantId": str(tenant_id), "tenancies": tenancies}


def tenancy(row: Row, account: dict[str, Any] | None,
            repairs: list[dict[str, Any]]) -> dict[str, Any]:
    tenancy_id, uprn, tenure, start, end = row
    return {"tenancyId": str(tenancy_id), "uprn": _text(uprn), "tenure": _enum(tenure),
            "startDate": _date(start), "endDate": _date(end), "rentAccount": account,
            "repairs": repairs}


def rent_account(row: Row) -> dict[str, Any]:
    rent, balance, weeks = row
    return {"weeklyRent": _number(rent), "balance": _number(balance), "arrearsWeeks": weeks}


def repair(row: Row) -> dict[str, Any]:
    reported, category, priority, completed = row
    return {"reportedOn": _date(reported), "category": category, "priority": _enum(priority),
            "completedOn": _date(completed)}


# ------------------------------------------------------------------ the analyst aggregate

def age_band(birth_year: int, this_year: int) -> str:
    """The ten-year band of the age a citizen reaches this calendar year.

    The analyst sees a date of birth only as its year (policies/policy.csv: `year`), so a client
    counting by age band can only band by birth year; every path bands the same way.
    """
    low = (this_year - birth_year) // 10 * 10
    return f"{low}-{low + 9}"


def count_key(ward: str | None, band: str) -> str:
    return f"{ward if ward is not None else '(none)'}|{band}"
