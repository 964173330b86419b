# mypy: disable-error-code="misc"
"""The naive GraphQL server: what people usually build, and what the gateway must beat.

graphene, one resolver per field (graphene's default resolver reads each value off its parent) and
one resolver per nested record or list, each issuing its own Trino query for its one parent: the
N+1 pattern. Resolvers are plain synchronous functions, as in graphene's documentation; the
request runs on a worker thread, so the queries of one request run one after another. It has no
access policy (it shows everything in clear) and answers the same documents as the gateway for
the fields the benchmark asks for.

Run it: `python -m bench.naive --port 8101` (Trino from the local stack's settings). The Trino user
of a request's queries is the `X-Bench-User` header, so the benchmark can count them in Trino's
system.runtime.queries; the response also says how many it sent (`extensions.queries`).
"""

from __future__ import annotations

import argparse
import threading
from typing import Any

import graphene
import requests
import trino
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench import records
from stack.settings import HOST, Settings

_local = threading.local()
TRINO_PORT = Settings.from_env().trino_port


def query(info: Any, sql: str) -> list[Any]:
    """One Trino query, as the requesting user; counted in the request's context."""
    context = info.context
    context["queries"] += 1
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    connection = trino.dbapi.connect(  # type: ignore[no-untyped-call]
        host=HOST, port=TRINO_PORT, user=context["user"],
                                     source="bench-naive", http_session=session, max_attempts=1,
                                     request_timeout=300)
    cursor = connection.cursor()
    cursor.execute(sql)
    return list(cursor.fetchall())


def _columns(prefix: str, columns: str) -> str:
    return ", ".join(f"{prefix}.{column.strip()}" for column in columns.split(","))


def _list(info: Any, table: str, parent_column: str, parent: Any, columns: str, order: str,
          first: int) -> list[Any]:
    return query(info, f"SELECT {columns} FROM {table} WHERE {parent_column} = {int(parent)} "
                       f"ORDER BY {order} LIMIT {int(first)}")


def _linked(info: Any, citizen_id: Any, department: str, table: str, key: str,
            columns: str) -> list[Any]:
    """The department record of a citizen: the person index joined to the department's table."""
    return query(info, f"SELECT {_columns('d', columns)} FROM registry.registry.person_link l "
                       f"JOIN {table} d ON d.{key} = l.local_id WHERE l.citizen_id = "
                       f"{int(citizen_id)} AND l.department = '{department}'")


# ------------------------------------------------------------------ health

class Encounter(graphene.ObjectType):
    encounterDate = graphene.String()
    setting = graphene.String()
    codeSystem = graphene.String()
    diagnosisCode = graphene.String()


class Prescription(graphene.ObjectType):
    prescribedOn = graphene.String()
    medication = graphene.String()
    dose = graphene.String()
    isRepeat = graphene.Boolean()


class Patient(graphene.ObjectType):
    patientId = graphene.ID()
    nhsNumber = graphene.String()
    gpPracticeCode = graphene.String()
    registeredOn = graphene.String()
    encounters = graphene.List(graphene.NonNull(Encounter), first=graphene.Int(default_value=20))
    prescriptions = graphene.List(graphene.NonNull(Prescription),
                                  first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_encounters(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.encounter(row) for row in _list(
            info, "health.health.encounter", "patient_id", parent["patientId"],
            records.ENCOUNTER, records.ENCOUNTER_ORDER, first)]

    @staticmethod
    def resolve_prescriptions(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.prescription(row) for row in _list(
            info, "health.health.prescription", "patient_id", parent["patientId"],
            records.PRESCRIPTION, records.PRESCRIPTION_ORDER, first)]


# ------------------------------------------------------------------ social care

class Assessment(graphene.ObjectType):
    assessedOn = graphene.String()
    assessmentType = graphene.String()
    outcome = graphene.String()


class SocialCase(graphene.ObjectType):
    caseId = graphene.ID()
    service = graphene.String()
    team = graphene.String()
    status = graphene.String()
    openedOn = graphene.String()
    closedOn = graphene.String()
    categoryOfNeed = graphene.String()
    primarySupportReason = graphene.String()
    assessments = graphene.List(graphene.NonNull(Assessment), first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_assessments(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.assessment(row) for row in _list(
            info, "socialcare.socialcare.assessment", "case_id", parent["caseId"],
            records.ASSESSMENT, records.ASSESSMENT_ORDER, first)]


class SafeguardingFlag(graphene.ObjectType):
    flagType = graphene.String()
    raisedOn = graphene.String()
    active = graphene.Boolean()


class SocialCareClient(graphene.ObjectType):
    clientId = graphene.ID()
    cases = graphene.List(graphene.NonNull(SocialCase), first=graphene.Int(default_value=20))
    safeguardingFlags = graphene.List(graphene.NonNull(SafeguardingFlag),
                                      first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_cases(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.social_case(row, []) for row in _list(
            info, "socialcare.socialcare.social_case", "client_id", parent["clientId"],
            records.CASE, records.CASE_ORDER, first)]

    @staticmethod
    def resolve_safeguardingFlags(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.flag(row) for row in _list(
            info, "socialcare.socialcare.safeguarding_flag", "client_id", parent["clientId"],
            records.FLAG, records.FLAG_ORDER, first)]


# ------------------------------------------------------------------ education

class Enrolment(graphene.ObjectType):
    schoolUrn = graphene.Int()
    schoolName = graphene.String()
    entryDate = graphene.String()
    leavingDate = graphene.String()
    yearGroup = graphene.Int()


class Attendance(graphene.ObjectType):
    academicYear = graphene.String()
    term = graphene.String()
    possibleSessions = graphene.Int()
    attendedSessions = graphene.Int()
    authorisedAbsences = graphene.Int()
    unauthorisedAbsences = graphene.Int()


class Exclusion(graphene.ObjectType):
    startDate = graphene.String()
    exclusionType = graphene.String()
    sessions = graphene.Int()
    reason = graphene.String()


class Pupil(graphene.ObjectType):
    pupilId = graphene.ID()
    upn = graphene.String()
    senProvision = graphene.String()
    freeSchoolMeals = graphene.Boolean()
    enrolments = graphene.List(graphene.NonNull(Enrolment), first=graphene.Int(default_value=20))
    attendance = graphene.List(graphene.NonNull(Attendance), first=graphene.Int(default_value=20))
    exclusions = graphene.List(graphene.NonNull(Exclusion), first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_enrolments(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.enrolment(row) for row in _list(
            info, "education.education.enrolment", "pupil_id", parent["pupilId"],
            records.ENROLMENT, records.ENROLMENT_ORDER, first)]

    @staticmethod
    def resolve_attendance(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.attendance(row) for row in _list(
            info, "education.education.attendance", "pupil_id", parent["pupilId"],
            records.ATTENDANCE, records.ATTENDANCE_ORDER, first)]

    @staticmethod
    def resolve_exclusions(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.exclusion(row) for row in _list(
            info, "education.education.exclusion", "pupil_id", parent["pupilId"],
            records.EXCLUSION, records.EXCLUSION_ORDER, first)]


# ------------------------------------------------------------------ housing

class RentAccount(graphene.ObjectType):
    weeklyRent = graphene.Float()
    balance = graphene.Float()
    arrearsWeeks = graphene.Int()


class Repair(graphene.ObjectType):
    reportedOn = graphene.String()
    category = graphene.String()
    priority = graphene.String()
    completedOn = graphene.String()


class Tenancy(graphene.ObjectType):
    tenancyId = graphene.ID()
    uprn = graphene.String()
    tenure = graphene.String()
    startDate = graphene.String()
    endDate = graphene.String()
    rentAccount = graphene.Field(RentAccount)
    repairs = graphene.List(graphene.NonNull(Repair), first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_rentAccount(parent: dict[str, Any], info: Any) -> Any:
        rows = query(info, f"SELECT {records.RENT_ACCOUNT} FROM housing.housing.rent_account "
                           f"WHERE tenancy_id = {int(parent['tenancyId'])}")
        return records.rent_account(rows[0]) if rows else None

    @staticmethod
    def resolve_repairs(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.repair(row) for row in _list(
            info, "housing.housing.repair", "tenancy_id", parent["tenancyId"],
            records.REPAIR, records.REPAIR_ORDER, first)]


class Tenant(graphene.ObjectType):
    tenantId = graphene.ID()
    tenancies = graphene.List(graphene.NonNull(Tenancy), first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_tenancies(parent: dict[str, Any], info: Any, first: int) -> list[Any]:
        return [records.tenancy(row, None, []) for row in _list(
            info, "housing.housing.tenancy", "tenant_id", parent["tenantId"],
            records.TENANCY, records.TENANCY_ORDER, first)]


# ------------------------------------------------------------------ the citizen

class Citizen(graphene.ObjectType):
    id = graphene.ID()
    givenName = graphene.String()
    familyName = graphene.String()
    dateOfBirth = graphene.String()
    sex = graphene.String()
    niNumber = graphene.String()
    uprn = graphene.String()
    postcode = graphene.String()
    ward = graphene.String()
    healthOptOut = graphene.Boolean()
    dateOfDeath = graphene.String()
    health = graphene.Field(Patient)
    socialCare = graphene.Field(SocialCareClient)
    education = graphene.Field(Pupil)
    housing = graphene.Field(Tenant)

    @staticmethod
    def resolve_health(parent: dict[str, Any], info: Any) -> Any:
        rows = _linked(info, parent["id"], "health", "health.health.patient", "patient_id",
                       records.PATIENT)
        return records.patient(rows[0], [], []) if rows else None

    @staticmethod
    def resolve_socialCare(parent: dict[str, Any], info: Any) -> Any:
        rows = _linked(info, parent["id"], "socialcare", "socialcare.socialcare.client",
                       "client_id", "client_id")
        return records.client(rows[0][0], [], []) if rows else None

    @staticmethod
    def resolve_education(parent: dict[str, Any], info: Any) -> Any:
        rows = _linked(info, parent["id"], "education", "education.education.pupil", "pupil_id",
                       records.PUPIL)
        return records.pupil(rows[0], [], [], []) if rows else None

    @staticmethod
    def resolve_housing(parent: dict[str, Any], info: Any) -> Any:
        rows = _linked(info, parent["id"], "housing", "housing.housing.tenant", "tenant_id",
                       "tenant_id")
        return records.tenant(rows[0][0], []) if rows else None


class IdFilter(graphene.InputObjectType):
    eq = graphene.ID()
    in_ = graphene.List(graphene.NonNull(graphene.ID), name="in")


class StringFilter(graphene.InputObjectType):
    eq = graphene.String()
    isNull = graphene.Boolean()


class SexFilter(graphene.InputObjectType):
    eq = graphene.String()


class BooleanFilter(graphene.InputObjectType):
    eq = graphene.Boolean()


class CitizenWhere(graphene.InputObjectType):
    id = graphene.InputField(IdFilter)
    ward = graphene.InputField(StringFilter)
    sex = graphene.InputField(SexFilter)
    healthOptOut = graphene.InputField(BooleanFilter)


class PageInfo(graphene.ObjectType):
    hasNextPage = graphene.Boolean()


class CitizenConnection(graphene.ObjectType):
    nodes = graphene.List(graphene.NonNull(Citizen))
    pageInfo = graphene.Field(PageInfo)


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _where(where: dict[str, Any] | None) -> str:
    parts = ["TRUE"]
    where = where or {}
    if where.get("id"):
        if where["id"].get("eq") is not None:
            parts.append(f"citizen_id = {int(where['id']['eq'])}")
        if where["id"].get("in_") is not None:
            ids = ", ".join(str(int(i)) for i in where["id"]["in_"]) or "NULL"
            parts.append(f"citizen_id IN ({ids})")
    if where.get("ward"):
        if where["ward"].get("isNull") is not None:
            parts.append("ward IS NULL" if where["ward"]["isNull"] else "ward IS NOT NULL")
        if where["ward"].get("eq") is not None:
            parts.append(f"ward = {_quote(where['ward']['eq'])}")
    if where.get("sex") and where["sex"].get("eq") is not None:
        parts.append(f"sex = {_quote(where['sex']['eq'])}")
    if where.get("healthOptOut") and where["healthOptOut"].get("eq") is not None:
        parts.append(f"health_opt_out = {'TRUE' if where['healthOptOut']['eq'] else 'FALSE'}")
    return " AND ".join(parts)


class Query(graphene.ObjectType):
    citizen = graphene.Field(Citizen, id=graphene.ID(required=True))
    citizens = graphene.Field(CitizenConnection, where=CitizenWhere(),
                              first=graphene.Int(default_value=20))

    @staticmethod
    def resolve_citizen(parent: Any, info: Any, id: str) -> Any:
        rows = query(info, f"SELECT {records.CITIZEN[1]} FROM registry.registry.citizen "
                           f"WHERE citizen_id = {int(id)}")
        return records.citizen(rows[0]) if rows else None

    @staticmethod
    def resolve_citizens(parent: Any, info: Any, first: int, where: Any = None) -> Any:
        rows = query(info, f"SELECT {records.CITIZEN[1]} FROM registry.registry.citizen "
                           f"WHERE {_where(where)} ORDER BY citizen_id LIMIT {int(first) + 1}")
        return {"nodes": [records.citizen(row) for row in rows[:first]],
                "pageInfo": {"hasNextPage": len(rows) > first}}


SCHEMA = graphene.Schema(query=Query)


async def graphql_endpoint(request: Request) -> JSONResponse:
    payload = await request.json()
    context = {"user": request.headers.get("x-bench-user", "bench-naive"), "queries": 0}
    result = await run_in_threadpool(SCHEMA.execute, payload["query"],
                                     variable_values=payload.get("variables"),
                                     context_value=context)
    body: dict[str, Any] = {"data": result.data, "extensions": {"queries": context["queries"]}}
    if result.errors:
        body["errors"] = [{"message": str(error)} for error in result.errors]
    return JSONResponse(body)


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/graphql", graphql_endpoint, methods=["POST"]),
                        Route("/healthz", healthz)])


def main() -> None:
    parser = argparse.ArgumentParser(description="The naive resolver-per-field GraphQL server.")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host=HOST, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
