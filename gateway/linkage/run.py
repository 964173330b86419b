"""A linkage run: extract every department's people, then for each department train, score,
decide and write. Every department is read before anything is written, so a department that is
down or refuses the account fails the run before it has changed the index at all."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from splink import DuckDBAPI
from sqlglot import exp
from tqdm import tqdm

from gateway.errors import LinkageError
from gateway.linkage.decide import Candidate, Outcome, Thresholds, decide
from gateway.linkage.extract import REGISTRY_TABLE, Workspace, one_line, people_table
from gateway.linkage.identity import IdentitySource
from gateway.linkage.index import Index
from gateway.linkage.model import IDENTIFIERS, REGISTRY_DATASET, Model, predict, train

# Pairs scored below this are not worth keeping even as a second candidate.
CANDIDATE_FLOOR = 0.001


@dataclass(frozen=True)
class DepartmentReport:
    department: str
    records: int
    linked: int
    duplicates: int  # records linked to a citizen who has another record here (not primary)
    deterministic: int
    manual: int
    review: int
    unlinked: int  # records with no candidate good enough for review, or none at all
    model_version: str
    seconds: float


@dataclass(frozen=True)
class RunReport:
    citizens: int
    departments: tuple[DepartmentReport, ...]
    seconds: float


def _side(column: str, side: str) -> exp.Column:
    return exp.column(f"{column}_{side}", quoted=True)


def candidates_query(predictions: str, identifiers: Sequence[str]) -> exp.Select:
    """(local id, citizen id, probability, weight, identifier agrees), best first per record."""
    registry_left = exp.EQ(this=_side("source_dataset", "l"),
                           expression=exp.Literal.string(REGISTRY_DATASET))

    def pick(column: str, registry: bool) -> exp.Expr:
        on_left, on_right = _side(column, "l"), _side(column, "r")
        if registry:
            return exp.If(this=registry_left, true=on_left, false=on_right)
        return exp.If(this=registry_left, true=on_right, false=on_left)

    agrees: exp.Expr = exp.false()
    for identifier in identifiers:
        agrees = exp.or_(agrees, exp.func("coalesce", exp.EQ(this=_side(identifier, "l"),
                                                             expression=_side(identifier, "r")),
                                          exp.false()))
    return (exp.select(exp.alias_(pick("unique_id", False), "local_id"),
                       exp.alias_(pick("unique_id", True), "citizen_id"),
                       "match_probability", "match_weight",
                       exp.alias_(agrees, "identifier_agrees"))
            .from_(exp.to_table(predictions, quoted=True))
            .order_by("local_id", exp.Ordered(this=exp.column("match_weight"), desc=True),
                      "citizen_id"))


def _candidates(workspace: Workspace, predictions: str,
                identifiers: Sequence[str]) -> Iterator[tuple[int, Candidate]]:
    cursor = workspace.execute(candidates_query(predictions, identifiers))
    while rows := cursor.fetchmany(100_000):
        for local_id, citizen_id, probability, weight, agrees in rows:
            yield int(local_id), Candidate(int(citizen_id), float(probability), float(weight),
                                           bool(agrees))


def _link_one(workspace: Workspace, index: Index, source: IdentitySource, records: int,
              thresholds: Thresholds, bar: tqdm) -> DepartmentReport:
    started = time.perf_counter()
    department = source.department
    elements = [e for e in source.columns if e in workspace.identities.registry.columns]
    db_api = DuckDBAPI(connection=workspace.db)
    bar.set_postfix_str(f"{department}: training")
    try:
        model: Model = train(db_api, department, REGISTRY_TABLE, people_table(department),
                             elements)
        bar.set_postfix_str(f"{department}: scoring")
        predictions = predict(model, CANDIDATE_FLOOR)
    except (duckdb.Error, ValueError, KeyError) as error:  # Splink raises its own ValueErrors
        raise LinkageError(f"the {department} model did not train: {one_line(error)}") from None
    bar.set_postfix_str(f"{department}: deciding")
    identifiers = [e for e in IDENTIFIERS if e in elements]
    outcome: Outcome = decide(_candidates(workspace, predictions, identifiers),
                              index.decisions(department), thresholds)
    bar.set_postfix_str(f"{department}: writing")
    index.write(department, model, outcome, records, datetime.now(UTC).replace(tzinfo=None))
    methods = [link.method for link in outcome.links]
    return DepartmentReport(
        department, records, len(outcome.links),
        sum(1 for link in outcome.links if not link.primary), methods.count("deterministic"),
        methods.count("manual"), len(outcome.reviews),
        records - len(outcome.links) - len(outcome.reviews), model.version,
        time.perf_counter() - started)


def run(workspace: Workspace, *, departments: Sequence[str] | None = None,
        thresholds: Thresholds | None = None, progress: bool = True) -> RunReport:
    started = time.perf_counter()
    identities = workspace.identities
    chosen = ([identities.department(name) for name in departments] if departments
              else list(identities.departments))
    thresholds = thresholds or Thresholds()
    index = Index(workspace)
    steps = 1 + 2 * len(chosen)
    with tqdm(total=steps, desc="link", unit="step", disable=not progress) as bar:
        bar.set_postfix_str("reading the registry")
        citizens = workspace.extract(identities.registry, REGISTRY_TABLE)
        bar.update()
        counts: dict[str, int] = {}
        for source in chosen:
            bar.set_postfix_str(f"reading {source.department}")
            counts[source.department] = workspace.extract(source, people_table(source.department))
            bar.update()
        reports = []
        for source in chosen:
            reports.append(_link_one(workspace, index, source, counts[source.department],
                                     thresholds, bar))
            bar.update()
    return RunReport(citizens, tuple(reports), time.perf_counter() - started)
