"""The physical floor: hand-written SQL straight to each department database, no Trino.

Each department's own driver and reader account (psycopg for registry, health and housing;
pymysql for socialcare and education), one connection per department per thread kept open for
the whole run, and the plainest SQL a person would write: one query per table, every key a
literal id list (an indexed predicate), nested lists ranked per parent with row_number() and cut
at the contract's default `first` (20). Queries run one after another: three rounds (registry,
then each department's records, then the records nested under them).
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import psycopg
import pymysql

from bench import cohort, records
from bench.result import Result
from stack.settings import HOST, Settings

POSTGRES = ("registry", "health", "housing")
MARIADB = ("socialcare", "education")


def _ranked(table: str, parent: str, columns: str, order: str, where: str) -> str:
    return (f"SELECT {parent}, {columns} FROM (SELECT {parent}, {columns}, row_number() OVER "
            f"(PARTITION BY {parent} ORDER BY {order}) AS rn FROM {table} WHERE {parent} {where}) "
            f"AS ranked WHERE rn <= {records.LIMIT} ORDER BY {parent}, rn")


def _by_parent(rows: Sequence[Sequence[Any]]) -> dict[Any, list[Sequence[Any]]]:
    grouped: dict[Any, list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped


class DirectPath:
    name = "direct"
    engine = None  # no Trino: engine queries are not counted for this path

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.local = threading.local()
        self.opened: list[Any] = []
        self.lock = threading.Lock()
        self.user = "unused"

    # ---------------------------------------------------------------- connections

    def _connection(self, department: str) -> Any:
        connections = getattr(self.local, "connections", None)
        if connections is None:
            connections = self.local.connections = {}
        if department not in connections:
            password = self.settings.reader_password(department)
            if department in POSTGRES:
                connection: Any = psycopg.connect(
                    host=HOST, port=self.settings.postgres_port, dbname=department,
                    user=f"{department}_reader", password=password, connect_timeout=5,
                    autocommit=True)
            else:
                connection = pymysql.connect(
                    host=HOST, port=self.settings.mariadb_port, database=department,
                    user=f"{department}_reader", password=password, connect_timeout=5,
                    read_timeout=600, autocommit=True)
            connections[department] = connection
            with self.lock:
                self.opened.append(connection)
        return connections[department]

    def _rows(self, department: str, sql: str, ids: Sequence[int]) -> list[Sequence[Any]]:
        if not ids:
            return []
        connection = self._connection(department)
        if department in POSTGRES:
            return list(connection.execute(sql.replace("{ids}", "= ANY(%s)"), (list(ids),)))
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{ids}", "IN %s"), (tuple(ids),))
            return list(cursor.fetchall())

    def query(self, department: str, sql: str, parameters: tuple[Any, ...]) -> list[Sequence[Any]]:
        connection = self._connection(department)
        if department in POSTGRES:
            return list(connection.execute(sql, parameters))
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return list(cursor.fetchall())

    def close(self) -> None:
        """Close every connection (a PostgreSQL backend flushes its statistics as it exits)."""
        with self.lock:
            for connection in self.opened:
                with contextlib.suppress(Exception):  # closing is best effort
                    connection.close()
            self.opened.clear()
        self.local = threading.local()

    # ---------------------------------------------------------------- the citizen view

    def views(self, citizen_ids: Sequence[int]) -> list[dict[str, Any]]:
        ids = sorted(set(citizen_ids))
        citizens = {row[0]: records.citizen(row) for row in self._rows(
            "registry", f"SELECT {records.CITIZEN[1]} FROM registry.citizen "
                        "WHERE citizen_id {ids} ORDER BY citizen_id", ids)}
        links: dict[str, dict[int, int]] = defaultdict(dict)  # department -> local id -> citizen
        for citizen_id, department, local_id in self._rows(
                "registry", "SELECT citizen_id, department, local_id FROM registry.person_link "
                            "WHERE citizen_id {ids}", ids):
            links[department][local_id] = citizen_id
        for citizen_id, patient in self._health(sorted(links["health"])).items():
            citizens[links["health"][citizen_id]]["health"] = patient
        for client_id, value in self._social_care(sorted(links["socialcare"])).items():
            citizens[links["socialcare"][client_id]]["socialCare"] = value
        for pupil_id, value in self._education(sorted(links["education"])).items():
            citizens[links["education"][pupil_id]]["education"] = value
        for tenant_id, value in self._housing(sorted(links["housing"])).items():
            citizens[links["housing"][tenant_id]]["housing"] = value
        return [citizens[i] for i in ids if i in citizens]

    def _health(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        patients = self._rows("health", f"SELECT {records.PATIENT} FROM health.patient "
                                        "WHERE patient_id {ids}", ids)
        found = [row[0] for row in patients]
        encounters = _by_parent(self._rows("health", _ranked(
            "health.encounter", "patient_id", records.ENCOUNTER, records.ENCOUNTER_ORDER,
            "{ids}"), found))
        prescriptions = _by_parent(self._rows("health", _ranked(
            "health.prescription", "patient_id", records.PRESCRIPTION,
            records.PRESCRIPTION_ORDER, "{ids}"), found))
        return {row[0]: records.patient(
            row, [records.encounter(r) for r in encounters.get(row[0], [])],
            [records.prescription(r) for r in prescriptions.get(row[0], [])]) for row in patients}

    def _social_care(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        found = [row[0] for row in self._rows(
            "socialcare", "SELECT client_id FROM client WHERE client_id {ids}", ids)]
        cases = _by_parent(self._rows("socialcare", _ranked(
            "social_case", "client_id", records.CASE, records.CASE_ORDER, "{ids}"), found))
        case_ids = sorted(case[0] for rows in cases.values() for case in rows)
        assessments = _by_parent(self._rows("socialcare", _ranked(
            "assessment", "case_id", records.ASSESSMENT, records.ASSESSMENT_ORDER, "{ids}"),
            case_ids))
        flags = _by_parent(self._rows("socialcare", _ranked(
            "safeguarding_flag", "client_id", records.FLAG, records.FLAG_ORDER, "{ids}"), found))
        return {client_id: records.client(
            client_id,
            [records.social_case(case, [records.assessment(a) for a in assessments.get(case[0], [])])
             for case in cases.get(client_id, [])],
            [records.flag(f) for f in flags.get(client_id, [])]) for client_id in found}

    def _education(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        pupils = self._rows("education", f"SELECT {records.PUPIL} FROM pupil "
                                         "WHERE pupil_id {ids}", ids)
        found = [row[0] for row in pupils]
        lists = [_by_parent(self._rows("education", _ranked(table, "pupil_id", columns, order,
                                                              "{ids}"), found))
                 for table, columns, order in (
                     ("enrolment", records.ENROLMENT, records.ENROLMENT_ORDER),
                     ("attendance", records.ATTENDANCE, records.ATTENDANCE_ORDER),
                     ("exclusion", records.EXCLUSION, records.EXCLUSION_ORDER))]
        enrolments, attendance, exclusions = lists
        return {row[0]: records.pupil(
            row, [records.enrolment(r) for r in enrolments.get(row[0], [])],
            [records.attendance(r) for r in attendance.get(row[0], [])],
            [records.exclusion(r) for r in exclusions.get(row[0], [])]) for row in pupils}

    def _housing(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        found = [row[0] for row in self._rows(
            "housing", "SELECT tenant_id FROM housing.tenant WHERE tenant_id {ids}", ids)]
        tenancies = _by_parent(self._rows("housing", _ranked(
            "housing.tenancy", "tenant_id", records.TENANCY, records.TENANCY_ORDER, "{ids}"),
            found))
        tenancy_ids = sorted(t[0] for rows in tenancies.values() for t in rows)
        accounts = {row[0]: records.rent_account(row[1:]) for row in self._rows(
            "housing", f"SELECT tenancy_id, {records.RENT_ACCOUNT} FROM housing.rent_account "
                       "WHERE tenancy_id {ids}", tenancy_ids)}
        repairs = _by_parent(self._rows("housing", _ranked(
            "housing.repair", "tenancy_id", records.REPAIR, records.REPAIR_ORDER, "{ids}"),
            tenancy_ids))
        return {tenant_id: records.tenant(tenant_id, [
            records.tenancy(t, accounts.get(t[0]), [records.repair(r) for r in repairs.get(t[0], [])])
            for t in tenancies.get(tenant_id, [])]) for tenant_id in found}

    # ---------------------------------------------------------------- workloads

    def lookup(self, citizen_id: int) -> Result:
        found = self.views([citizen_id])
        return Result(found[0] if found else None)

    def caseload(self, citizen_ids: Sequence[int]) -> Result:
        return Result(self.views(citizen_ids))

    def cohort(self, values: dict[str, Any]) -> Result:
        found, statements = cohort.DepartmentClient(self.query).page(values)
        return Result(found, requests=statements)

    def analyst(self) -> Result:
        connection = self._connection("registry")
        rows = connection.execute(
            "SELECT ward, (extract(year FROM current_date) - extract(year FROM date_of_birth))"
            "::int / 10 * 10 AS low, count(*) FROM registry.citizen GROUP BY 1, 2").fetchall()
        counts = {records.count_key(ward, f"{low}-{low + 9}"): n for ward, low, n in rows}
        return Result({"counts": counts, "complete": True})
