"""Clerical review: the queue of uncertain links side by side, and reviewers' decisions.

A decision is about a pair (a department record, a citizen): accept links them ("manual"),
reject keeps them apart, dispute withholds a link that is in the index and puts it back in the
queue. Each is recorded in link_decision with the reviewer, the reason and the time (the
linkage audit trail), applied to the index at once in one transaction, and read by every later
run, where it wins over the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
from sqlglot import exp

from gateway.errors import LinkageError
from gateway.ir import Element
from gateway.linkage.decide import Verdict
from gateway.linkage.extract import Workspace, one_line
from gateway.linkage.identity import IdentitySource
from gateway.linkage.index import LINK_COLUMNS, Index

Identity = Mapping[Element, Any]


@dataclass(frozen=True)
class Candidate:
    citizen_id: int
    probability: float | None  # None: a manual link, never scored
    weight: float | None
    identity: Identity


@dataclass(frozen=True)
class ReviewItem:
    department: str
    local_id: int
    record: Identity
    best: Candidate
    second: Candidate | None
    reason: str
    model_version: str

    @property
    def margin_bits(self) -> float | None:
        """How much stronger the evidence for the best candidate is than for the second."""
        if self.second is None or self.best.weight is None or self.second.weight is None:
            return None
        return self.best.weight - self.second.weight


def _value(value: Any) -> exp.Expr:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    return exp.Literal.string(str(value))


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _eq(name: str, value: Any) -> exp.Expr:
    literal = exp.Literal.string(value) if isinstance(value, str) else exp.Literal.number(value)
    return exp.EQ(this=exp.column(name, quoted=True), expression=literal)


class Reviews:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.index = Index(workspace)

    # ------------------------------------------------------------------ reading

    def identities(self, source: IdentitySource, keys: Sequence[int]) -> dict[int, Identity]:
        """The identifying fields of these records, as the department holds them."""
        if not keys:
            return {}
        kind = self.workspace.kind(source.table.catalog)
        table = exp.table_(source.table.table, db="main" if kind == "sqlite" else source.table.schema,
                           catalog=source.table.catalog, quoted=True)
        elements = list(source.columns)
        select = (exp.select(exp.column(source.key, quoted=True),
                             *(exp.column(source.columns[e], quoted=True) for e in elements))
                  .from_(table)
                  .where(exp.In(this=exp.column(source.key, quoted=True),
                                expressions=[exp.Literal.number(k) for k in keys])))
        rows = self.workspace.execute(select).fetchall()
        return {int(row[0]): dict(zip(elements, row[1:], strict=True)) for row in rows}

    def queue(self, department: str | None = None, limit: int = 20) -> list[ReviewItem]:
        """The review queue, the least certain first."""
        select = (exp.select("department", "local_id", "citizen_id", "match_probability",
                             "match_weight", "second_citizen_id", "second_probability",
                             "second_weight", "reason", "model_version")
                  .from_(self.index.table("link_review"))
                  .order_by("match_weight", "department", "local_id").limit(limit))
        if department is not None:
            select = select.where(_eq("department", department))
        try:
            rows = self.workspace.execute(select).fetchall()
        except duckdb.Error as error:
            raise LinkageError(f"cannot read the review queue: {one_line(error)}") from None
        identities = self.workspace.identities
        registry: dict[int, Identity] = self.identities(
            identities.registry, sorted({int(r[2]) for r in rows} |
                                        {int(r[5]) for r in rows if r[5] is not None}))
        records: dict[str, dict[int, Identity]] = {}
        for name in sorted({r[0] for r in rows}):
            records[name] = self.identities(identities.department(name),
                                            [int(r[1]) for r in rows if r[0] == name])
        items = []
        for (dept, local, best, p, w, second, p2, w2, reason, version) in rows:
            items.append(ReviewItem(
                dept, int(local), records[dept].get(int(local), {}),
                Candidate(int(best), _number(p), _number(w), registry.get(int(best), {})),
                None if second is None else Candidate(int(second), _number(p2), _number(w2),
                                                      registry.get(int(second), {})),
                reason, version))
        return items

    def _linked(self, department: str, local_id: int
                ) -> tuple[int, float | None, float | None, str | None] | None:
        select = (exp.select("citizen_id", "match_probability", "match_weight", "model_version")
                  .from_(self.index.table("person_link"))
                  .where(exp.and_(_eq("department", department), _eq("local_id", local_id))))
        row = self.workspace.execute(select).fetchone()
        return None if row is None else (int(row[0]), row[1], row[2], row[3])

    def _others(self, department: str, citizen_id: int, local_id: int) -> list[tuple[Any, ...]]:
        """The citizen's other links in this department (whole rows), the strongest first."""
        select = (exp.select(*LINK_COLUMNS).from_(self.index.table("person_link"))
                  .where(exp.and_(_eq("department", department), _eq("citizen_id", citizen_id),
                                  exp.NEQ(this=exp.column("local_id", quoted=True),
                                          expression=exp.Literal.number(local_id))))
                  .order_by(exp.Ordered(this=exp.column("primary_record"), desc=True),
                            exp.Ordered(this=exp.column("match_weight"), desc=True,
                                        nulls_first=True), "local_id"))
        return list(self.workspace.execute(select).fetchall())

    def _promoted(self, row: tuple[Any, ...]) -> list[exp.Expr]:
        """A department's other record of the citizen made the primary one (rewritten whole:
        the linkage account may insert and delete, not update)."""
        values = dict(zip(LINK_COLUMNS, row, strict=True)) | {"primary_record": True}
        of_record = exp.and_(_eq("department", values["department"]),
                             _eq("local_id", int(values["local_id"])))
        return [exp.delete(self.index.table("person_link"), where=of_record),
                exp.insert(exp.select(*(_value(values[c]) for c in LINK_COLUMNS)),
                           self.index.table("person_link"), columns=list(LINK_COLUMNS))]

    # ------------------------------------------------------------------ deciding

    def decide(self, department: str, local_id: int, citizen_id: int, verdict: Verdict,
               reviewer: str, reason: str) -> str:
        """Record and apply one decision; what it did, in one line."""
        self.workspace.identities.department(department)  # a known department, or an error
        if not reviewer.strip() or not reason.strip():
            raise LinkageError("a decision needs the reviewer and the reason")
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        link = self.index.table("person_link")
        review = self.index.table("link_review")
        of_record = exp.and_(_eq("department", department), _eq("local_id", local_id))
        statements: list[exp.Expr] = [
            exp.delete(self.index.table("link_decision"),
                       where=exp.and_(of_record, _eq("citizen_id", citizen_id))),
            exp.insert(exp.select(*(exp.Literal.string(v) if isinstance(v, str) else
                                    exp.Literal.number(v)
                                    for v in (department, local_id, citizen_id, verdict,
                                              reviewer, reason)),
                                  exp.cast(exp.Literal.string(now.isoformat(sep=" ")),
                                           "TIMESTAMP")),
                       self.index.table("link_decision"),
                       columns=["department", "local_id", "citizen_id", "decision", "reviewer",
                                "reason", "decided_at"]),
        ]
        linked = self._linked(department, local_id)
        if linked is not None and linked[0] == citizen_id and verdict != "accept":
            # the link goes: another record of the citizen here becomes the one the view shows
            others = self._others(department, citizen_id, local_id)
            if others and not others[0][LINK_COLUMNS.index("primary_record")]:
                statements += self._promoted(others[0])
        if verdict == "accept":
            others = self._others(department, citizen_id, local_id)
            primary = not any(row[LINK_COLUMNS.index("primary_record")] for row in others)
            statements += [
                exp.delete(link, where=of_record),
                exp.delete(review, where=of_record),
                exp.insert(exp.select(exp.Literal.string(department), exp.Literal.number(local_id),
                                      exp.Literal.number(citizen_id), exp.Literal.string("manual"),
                                      exp.cast(exp.Literal.string(now.isoformat(sep=" ")),
                                               "TIMESTAMP"),
                                      exp.Boolean(this=primary)),
                           link, columns=["department", "local_id", "citizen_id", "match_method",
                                          "linked_at", "primary_record"]),
            ]
            done = f"{department} record {local_id} linked to citizen {citizen_id}"
        elif verdict == "reject":
            statements.append(exp.delete(review, where=exp.and_(of_record,
                                                                _eq("citizen_id", citizen_id))))
            if linked is not None and linked[0] == citizen_id:
                statements.append(exp.delete(link, where=of_record))
            done = f"{department} record {local_id} kept apart from citizen {citizen_id}"
        else:
            if linked is None or linked[0] != citizen_id:
                raise LinkageError(f"{department} record {local_id} is not linked to citizen "
                                   f"{citizen_id}")
            probability, weight, version = linked[1], linked[2], linked[3]
            statements += [
                exp.delete(link, where=of_record),
                exp.delete(review, where=of_record),
                exp.insert(exp.select(
                    exp.Literal.string(department), exp.Literal.number(local_id),
                    exp.Literal.number(citizen_id),
                    exp.null() if probability is None else exp.Literal.number(probability),
                    exp.null() if weight is None else exp.Literal.number(weight),
                    exp.Literal.string(f"disputed by {reviewer}: {reason}"[:200]),
                    exp.Literal.string(version or "manual"),
                    exp.cast(exp.Literal.string(now.isoformat(sep=" ")), "TIMESTAMP")),
                    review, columns=["department", "local_id", "citizen_id", "match_probability",
                                     "match_weight", "reason", "model_version", "queued_at"]),
            ]
            done = (f"{department} record {local_id} withheld from citizen {citizen_id}'s view "
                    "and back in the review queue")
        self.workspace.transaction(statements, "cannot record the decision")
        return done

    def dispute(self, department: str, local_id: int, reviewer: str, reason: str) -> str:
        linked = self._linked(department, local_id)
        if linked is None:
            raise LinkageError(f"{department} record {local_id} is not linked to anyone")
        return self.decide(department, local_id, linked[0], "dispute", reviewer, reason)
