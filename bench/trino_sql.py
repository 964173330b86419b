"""The floor through Trino: the citizen view as hand-written Trino SQL, sent with the `trino` client.

Written as a person fluent in Trino would, knowing FACTS.md (LEFT JOINs across catalogs get no
dynamic filtering; literal id lists reach every department database as indexed predicates):

1. one registry statement: the citizens and their person-index links (both tables in the
   registry catalog, so the join can run inside PostgreSQL);
2. then ONE statement per department the citizens are known to, all sent at once (a thread
   each): the department's records by literal id lists, each nested list ranked per parent,
   cut at 20 and aggregated with array_agg(ROW(...)) inside Trino.

So a request costs 1 + (departments reached) statements in two rounds; the Python side only
turns the rows into the gateway's JSON shape (records.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
import trino

from bench import cohort, records
from bench.result import BenchError, Result
from stack.settings import HOST, Settings


def _ids(values: Sequence[int]) -> str:
    return ", ".join(str(int(value)) for value in values)


def _ranked(table: str, parent: str, columns: str, order: str, where: str) -> str:
    """Rows of `table` for the parents in `where`, ranked per parent, at most 20 each."""
    return (f"SELECT {parent}, {columns}, row_number() OVER (PARTITION BY {parent} ORDER BY "
            f"{order}) AS rn FROM {table} WHERE {where}")


def _items(table: str, parent: str, columns: str, order: str, where: str) -> str:
    """One row per parent: its list as an array of ROWs, in list order."""
    rank = _ranked(table, parent, columns, order, where)
    return (f"SELECT {parent}, array_agg(ROW({columns}) ORDER BY rn) AS items "
            f"FROM ({rank}) WHERE rn <= {records.LIMIT} GROUP BY {parent}")


def registry_sql(ids: Sequence[int]) -> str:
    columns = ", ".join(f"c.{c.strip()}" for c in records.CITIZEN[1].split(","))
    return (f"SELECT {columns}, l.department, l.local_id FROM registry.registry.citizen c "
            "LEFT JOIN registry.registry.person_link l ON l.citizen_id = c.citizen_id "
            f"WHERE c.citizen_id IN ({_ids(ids)}) ORDER BY c.citizen_id")


def health_sql(ids: Sequence[int]) -> str:
    where = f"patient_id IN ({_ids(ids)})"
    return (
        f"WITH e AS ({_items('health.health.encounter', 'patient_id', records.ENCOUNTER, records.ENCOUNTER_ORDER, where)}),\n"  # noqa: E501
        f"rx AS ({_items('health.health.prescription', 'patient_id', records.PRESCRIPTION, records.PRESCRIPTION_ORDER, where)})\n"  # noqa: E501
        f"SELECT p.patient_id, p.nhs_number, p.gp_practice_code, p.registered_on, e.items, rx.items\n"
        f"FROM health.health.patient p LEFT JOIN e ON e.patient_id = p.patient_id\n"
        f"LEFT JOIN rx ON rx.patient_id = p.patient_id WHERE p.{where}")


def social_care_sql(ids: Sequence[int]) -> str:
    clients = f"client_id IN ({_ids(ids)})"
    cases_of = (f"case_id IN (SELECT case_id FROM socialcare.socialcare.social_case "
                f"WHERE {clients})")
    case_columns = ", ".join(f"k.{c.strip()}" for c in records.CASE.split(","))
    return (
        f"WITH a AS ({_items('socialcare.socialcare.assessment', 'case_id', records.ASSESSMENT, records.ASSESSMENT_ORDER, cases_of)}),\n"  # noqa: E501
        f"k AS ({_ranked('socialcare.socialcare.social_case', 'client_id', records.CASE, records.CASE_ORDER, clients)}),\n"  # noqa: E501
        f"kc AS (SELECT k.client_id, array_agg(ROW({case_columns}, a.items) ORDER BY k.rn) AS items\n"
        f"  FROM k LEFT JOIN a ON a.case_id = k.case_id WHERE k.rn <= {records.LIMIT} GROUP BY k.client_id),\n"  # noqa: E501
        f"f AS ({_items('socialcare.socialcare.safeguarding_flag', 'client_id', records.FLAG, records.FLAG_ORDER, clients)})\n"  # noqa: E501
        f"SELECT s.client_id, kc.items, f.items FROM socialcare.socialcare.client s\n"
        f"LEFT JOIN kc ON kc.client_id = s.client_id LEFT JOIN f ON f.client_id = s.client_id\n"
        f"WHERE s.{clients}")


def education_sql(ids: Sequence[int]) -> str:
    where = f"pupil_id IN ({_ids(ids)})"
    return (
        f"WITH en AS ({_items('education.education.enrolment', 'pupil_id', records.ENROLMENT, records.ENROLMENT_ORDER, where)}),\n"  # noqa: E501
        f"at AS ({_items('education.education.attendance', 'pupil_id', records.ATTENDANCE, records.ATTENDANCE_ORDER, where)}),\n"  # noqa: E501
        f"ex AS ({_items('education.education.exclusion', 'pupil_id', records.EXCLUSION, records.EXCLUSION_ORDER, where)})\n"  # noqa: E501
        f"SELECT p.pupil_id, p.upn, p.sen_provision, p.free_school_meals, en.items, at.items, ex.items\n"
        f"FROM education.education.pupil p LEFT JOIN en ON en.pupil_id = p.pupil_id\n"
        f"LEFT JOIN at ON at.pupil_id = p.pupil_id LEFT JOIN ex ON ex.pupil_id = p.pupil_id\n"
        f"WHERE p.{where}")


def housing_sql(ids: Sequence[int]) -> str:
    tenants = f"tenant_id IN ({_ids(ids)})"
    tenancies_of = (f"tenancy_id IN (SELECT tenancy_id FROM housing.housing.tenancy "
                    f"WHERE {tenants})")
    tenancy_columns = ", ".join(f"t.{c.strip()}" for c in records.TENANCY.split(","))
    account_columns = ", ".join(f"ra.{c.strip()}" for c in records.RENT_ACCOUNT.split(","))
    return (
        f"WITH rp AS ({_items('housing.housing.repair', 'tenancy_id', records.REPAIR, records.REPAIR_ORDER, tenancies_of)}),\n"  # noqa: E501
        f"ra AS (SELECT tenancy_id, {records.RENT_ACCOUNT} FROM housing.housing.rent_account WHERE {tenancies_of}),\n"  # noqa: E501
        f"t AS ({_ranked('housing.housing.tenancy', 'tenant_id', records.TENANCY, records.TENANCY_ORDER, tenants)}),\n"  # noqa: E501
        f"tt AS (SELECT t.tenant_id, array_agg(ROW({tenancy_columns}, ra.tenancy_id IS NOT NULL, "
        f"{account_columns}, rp.items) ORDER BY t.rn) AS items\n"
        f"  FROM t LEFT JOIN ra ON ra.tenancy_id = t.tenancy_id\n"
        f"  LEFT JOIN rp ON rp.tenancy_id = t.tenancy_id\n"
        f"  WHERE t.rn <= {records.LIMIT} GROUP BY t.tenant_id)\n"
        f"SELECT h.tenant_id, tt.items FROM housing.housing.tenant h\n"
        f"LEFT JOIN tt ON tt.tenant_id = h.tenant_id WHERE h.{tenants}")


def _list(items: Any) -> list[Any]:
    return list(items) if items is not None else []


def _health(rows: list[Any]) -> dict[int, dict[str, Any]]:
    return {row[0]: records.patient(
        row[:4], [records.encounter(e) for e in _list(row[4])],
        [records.prescription(p) for p in _list(row[5])]) for row in rows}


def _social_care(rows: list[Any]) -> dict[int, dict[str, Any]]:
    return {row[0]: records.client(
        row[0], [records.social_case(case[:8], [records.assessment(a) for a in _list(case[8])])
                 for case in _list(row[1])],
        [records.flag(f) for f in _list(row[2])]) for row in rows}


def _education(rows: list[Any]) -> dict[int, dict[str, Any]]:
    return {row[0]: records.pupil(
        row[:4], [records.enrolment(e) for e in _list(row[4])],
        [records.attendance(a) for a in _list(row[5])],
        [records.exclusion(x) for x in _list(row[6])]) for row in rows}


def _housing(rows: list[Any]) -> dict[int, dict[str, Any]]:
    return {row[0]: records.tenant(row[0], [
        records.tenancy(t[:5], records.rent_account(t[6:9]) if t[5] else None,
                        [records.repair(r) for r in _list(t[9])])
        for t in _list(row[1])]) for row in rows}


DEPARTMENTS = {  # person-index department -> (statement, shaping, the citizen's JSON key)
    "health": (health_sql, _health, "health"),
    "socialcare": (social_care_sql, _social_care, "socialCare"),
    "education": (education_sql, _education, "education"),
    "housing": (housing_sql, _housing, "housing"),
}


class TrinoSqlPath:
    name = "trino-sql"
    engine = "trino"

    def __init__(self, settings: Settings, user: str = "bench-trino-sql") -> None:
        self.settings = settings
        self.user = user
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="trino-sql")

    def run(self, sql: str) -> list[Any]:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        connection = trino.dbapi.connect(  # type: ignore[no-untyped-call]
            host=HOST, port=self.settings.trino_port, user=self.user, source="bench-trino-sql",
            http_session=session, max_attempts=1, request_timeout=300,
            session_properties={"query_max_run_time": "300s"})
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            return list(cursor.fetchall())
        except trino.exceptions.TrinoQueryError as error:
            raise BenchError(f"trino-sql: {error.error_name}: {error.message}") from None

    def views(self, citizen_ids: Sequence[int]) -> tuple[list[dict[str, Any]], int]:
        ids = sorted(set(citizen_ids))
        citizens: dict[int, dict[str, Any]] = {}
        links: dict[str, dict[int, int]] = {department: {} for department in DEPARTMENTS}
        for row in self.run(registry_sql(ids)):
            citizen = citizens.get(row[0])
            if citizen is None:
                citizen = citizens[row[0]] = records.citizen(row[:11])
            if row[11] in links:
                links[row[11]][row[12]] = row[0]
        reached = [(department, local) for department, local in links.items() if local]
        futures = [(department, local, self.pool.submit(
            self.run, DEPARTMENTS[department][0](sorted(local)))) for department, local in reached]
        for department, local, future in futures:
            _, shape, key = DEPARTMENTS[department]
            for local_id, value in shape(future.result()).items():
                citizens[local[local_id]][key] = value
        return [citizens[i] for i in ids if i in citizens], 1 + len(reached)

    def lookup(self, citizen_id: int) -> Result:
        found, statements = self.views([citizen_id])
        return Result(found[0] if found else None, requests=statements)

    def caseload(self, citizen_ids: Sequence[int]) -> Result:
        found, statements = self.views(citizen_ids)
        return Result(found, requests=statements)

    def analyst(self) -> Result:
        """The hand-written aggregate: one statement, counts by ward and birth-year age band."""
        rows = self.run(
            "SELECT ward, (year(current_date) - year(date_of_birth)) / 10 * 10 AS low, count(*) "
            "FROM registry.registry.citizen GROUP BY 1, 2")
        counts = {records.count_key(ward, f"{low}-{low + 9}"): n for ward, low, n in rows}
        return Result({"counts": counts, "complete": True})

    def cohort(self, values: dict[str, Any]) -> Result:
        """The hand-written cohort: one statement."""
        return Result([cohort.node(row) for row in self.run(cohort.trino_sql(values))])

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
