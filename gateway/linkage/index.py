"""The index written back to the registry: links, review queue and model of one department in one
transaction, so the gateway reads the old index or the new one, never half of either; a run that
fails before the commit leaves the previous index in force. Reviewers' decisions are read here
and only ever added to (by `citizen-gateway link review`), never rewritten by a run."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
from sqlglot import exp

from gateway.errors import LinkageError
from gateway.ir import Table
from gateway.linkage.decide import Outcome, Verdict
from gateway.linkage.extract import Workspace, one_line
from gateway.linkage.model import Model

LINK_COLUMNS = ("department", "local_id", "citizen_id", "match_method", "match_probability",
                "match_weight", "model_version", "linked_at", "primary_record")
REVIEW_COLUMNS = ("department", "local_id", "citizen_id", "match_probability", "match_weight",
                  "second_citizen_id", "second_probability", "second_weight", "reason",
                  "model_version", "queued_at")
MODEL_COLUMNS = ("model_version", "department", "trained_at", "records", "settings")


class Index:
    """The registry's index tables, as the linker's workspace reaches them."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        links = workspace.identities.index.table
        schema = "main" if workspace.kind(links.catalog) == "sqlite" else links.schema
        self.links = Table(links.catalog, schema, links.table)

    def table(self, name: str) -> exp.Table:
        return exp.table_(name, db=self.links.schema, catalog=self.links.catalog, quoted=True)

    def _of(self, department: str) -> exp.Expr:
        return exp.EQ(this=exp.column("department", quoted=True),
                      expression=exp.Literal.string(department))

    def decisions(self, department: str) -> dict[tuple[int, int], Verdict]:
        select = (exp.select("local_id", "citizen_id", "decision")
                  .from_(self.table("link_decision")).where(self._of(department)))
        try:
            rows = self.workspace.execute(select).fetchall()
        except duckdb.Error as error:
            raise LinkageError(f"cannot read the reviewers' decisions: {one_line(error)}") from None
        return {(int(local), int(citizen)): verdict for local, citizen, verdict in rows}

    def write(self, department: str, model: Model, outcome: Outcome, records: int,
              now: datetime) -> None:
        """Replace the department's links and review queue, and record its model, at once."""
        links = pa.table({
            "department": [department] * len(outcome.links),
            "local_id": [link.local_id for link in outcome.links],
            "citizen_id": [link.citizen_id for link in outcome.links],
            "match_method": [link.method for link in outcome.links],
            "match_probability": pa.array([link.probability for link in outcome.links],
                                          pa.float64()),
            "match_weight": pa.array([link.weight for link in outcome.links], pa.float64()),
            "model_version": [None if link.method == "manual" and link.probability is None
                              else model.version for link in outcome.links],
            "linked_at": pa.array([now] * len(outcome.links), pa.timestamp("us")),
            "primary_record": [link.primary for link in outcome.links],
        })
        reviews = pa.table({
            "department": [department] * len(outcome.reviews),
            "local_id": [r.local_id for r in outcome.reviews],
            "citizen_id": [r.best.citizen_id for r in outcome.reviews],
            "match_probability": pa.array([r.best.probability for r in outcome.reviews],
                                          pa.float64()),
            "match_weight": pa.array([r.best.weight for r in outcome.reviews], pa.float64()),
            "second_citizen_id": pa.array([r.second.citizen_id if r.second else None
                                           for r in outcome.reviews], pa.int64()),
            "second_probability": pa.array([r.second.probability if r.second else None
                                            for r in outcome.reviews], pa.float64()),
            "second_weight": pa.array([r.second.weight if r.second else None
                                       for r in outcome.reviews], pa.float64()),
            "reason": [r.reason for r in outcome.reviews],
            "model_version": [model.version] * len(outcome.reviews),
            "queued_at": pa.array([now] * len(outcome.reviews), pa.timestamp("us")),
        })
        models = pa.table({"model_version": [model.version], "department": [department],
                           "trained_at": pa.array([model.trained_at.replace(tzinfo=None)],
                                                  pa.timestamp("us")),
                           "records": [records], "settings": [model.as_json()]})
        db = self.workspace.db
        staged = {"staged_links": links, "staged_reviews": reviews, "staged_model": models}
        for name, table in staged.items():
            db.register(name, table)
        statements: list[exp.Expr] = [
            exp.delete(self.table("person_link"), where=self._of(department)),
            _insert(self.table("person_link"), LINK_COLUMNS, "staged_links"),
            exp.delete(self.table("link_review"), where=self._of(department)),
            _insert(self.table("link_review"), REVIEW_COLUMNS, "staged_reviews"),
            _insert(self.table("link_model"), MODEL_COLUMNS, "staged_model"),
        ]
        try:
            self.workspace.transaction(statements, f"cannot write the index of {department} "
                                                   "(the previous one stays in force)")
        finally:
            for name in staged:
                db.unregister(name)


def _insert(target: exp.Table, columns: tuple[str, ...], source: str) -> exp.Insert:
    return exp.insert(exp.select(*columns).from_(source), target, columns=list(columns))
