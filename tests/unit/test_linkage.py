"""The master person index built by `citizen-gateway link` on a small SQLite council, scored
against the generator's ground truth (which the linker never attaches)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gateway_server import ALL_CLEAR, in_process_gateway

from bench.linkage_score import score, sqlite_pairs, total
from council.sqlite import write_sqlite
from gateway.cli.main import main
from gateway.contract.contract import Contract
from gateway.errors import LinkageError
from gateway.linkage.decide import Thresholds
from gateway.linkage.extract import Workspace
from gateway.linkage.identity import identities
from gateway.linkage.review import Reviews
from gateway.linkage.run import run

DEPARTMENTS = ("health", "socialcare", "education", "housing")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("linkage-council")
    write_sqlite(4000, 11, directory)
    return directory


@pytest.fixture
def council(generated: Path, tmp_path: Path) -> Path:
    """A copy of the council of its own for each test: the linker writes its registry."""
    directory = tmp_path / "council"
    shutil.copytree(generated, directory)
    return directory


@pytest.fixture(scope="module")
def linked(generated: Path, tmp_path_factory: pytest.TempPathFactory,
           contract: Contract) -> Path:
    """The council after one full linkage run."""
    directory = tmp_path_factory.mktemp("linked") / "council"
    shutil.copytree(generated, directory)
    workspace = Workspace(identities(contract), sqlite_dir=directory)
    try:
        run(workspace, progress=False)
    finally:
        workspace.close()
    return directory


def _workspace(contract: Contract, directory: Path) -> Workspace:
    return Workspace(identities(contract), sqlite_dir=directory)


def _rows(directory: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(directory / "registry.sqlite") as db:
        return db.execute(sql, parameters).fetchall()


def test_links_are_precise_and_find_most_records(linked: Path) -> None:
    scores = score(sqlite_pairs(linked), DEPARTMENTS)
    overall = total(scores)
    assert overall.precision >= 0.999, scores
    assert overall.recall >= 0.95, scores
    for each in scores:
        assert each.links > 0 and each.precision >= 0.99, each


def test_every_link_says_how_it_was_made(linked: Path) -> None:
    rows = _rows(linked, "SELECT match_method, match_probability, match_weight, model_version "
                         "FROM person_link")
    assert rows
    methods = {method for method, *_ in rows}
    assert methods <= {"deterministic", "probabilistic"} and "probabilistic" in methods
    assert "deterministic" in methods  # housing records NI numbers, and so does the registry
    assert all(p is not None and p >= Thresholds().link and w is not None and version
               for _, p, w, version in rows)
    versions = {version for *_, version in rows}
    saved = {v for (v,) in _rows(linked, "SELECT model_version FROM link_model")}
    assert versions <= saved
    (settings,) = _rows(linked, "SELECT settings FROM link_model LIMIT 1")[0]
    assert '"comparisons"' in settings and "m_probability" in settings


STRICT = Thresholds(link=0.99999, review=0.5)  # a queue a reviewer has work in, on a small council


def test_review_band_holds_what_the_model_is_unsure_of(council: Path, contract: Contract) -> None:
    workspace = _workspace(contract, council)
    try:
        run(workspace, departments=["health"], progress=False, thresholds=STRICT)
    finally:
        workspace.close()
    rows = _rows(council, "SELECT reason, match_probability, match_weight, second_weight "
                          "FROM link_review")
    assert rows
    for reason, probability, weight, second in rows:
        if reason == "below the automatic threshold":
            assert 0.5 <= probability < 0.99999
        else:
            assert reason == "second candidate within the margin"
            assert second is not None and weight - second < 4.0
    linked_records = {(d, local) for d, local in _rows(council, "SELECT department, local_id "
                                                               "FROM person_link")}
    queued = {(d, local) for d, local in _rows(council, "SELECT department, local_id "
                                                        "FROM link_review")}
    assert not linked_records & queued


def test_a_departments_second_record_of_a_person_is_linked_not_primary(linked: Path) -> None:
    pairs = sqlite_pairs(linked)
    duplicates = _rows(linked, "SELECT department, local_id, citizen_id FROM person_link "
                               "WHERE NOT primary_record")
    assert duplicates  # health and social care register some people twice
    true = sum(1 for d, local, citizen in duplicates if pairs.truth.get((d, local)) == citizen)
    assert true >= 0.9 * len(duplicates), (true, len(duplicates))
    primaries = _rows(linked, "SELECT count(*) FROM person_link WHERE primary_record "
                              "GROUP BY department, citizen_id HAVING count(*) > 1")
    assert primaries == []
    department, local, citizen = duplicates[0]
    (primary,), = _rows(linked, "SELECT local_id FROM person_link WHERE primary_record "
                                "AND department = ? AND citizen_id = ?", department, citizen)
    assert primary != local


def test_a_stricter_threshold_moves_links_to_review(council: Path, contract: Contract) -> None:
    workspace = _workspace(contract, council)
    try:
        usual = run(workspace, departments=["housing"], progress=False).departments[0]
        strict = run(workspace, departments=["housing"], progress=False,
                     thresholds=Thresholds(link=0.99999, review=0.5)).departments[0]
    finally:
        workspace.close()
    assert strict.linked < usual.linked
    assert strict.review > usual.review
    low = _rows(council, "SELECT count(*) FROM person_link WHERE department = 'housing' "
                         "AND match_probability < 0.99999")
    assert low == [(0,)]


def test_decisions_win_over_the_model_and_survive_a_rerun(council: Path,
                                                          contract: Contract) -> None:
    workspace = _workspace(contract, council)
    try:
        run(workspace, departments=["housing"], progress=False, thresholds=STRICT)
        reviews = Reviews(workspace)
        queued = reviews.queue("housing", limit=50)
        assert len(queued) >= 2
        accepted, rejected_review = queued[0], queued[1]
        (linked_local, linked_citizen), = _rows(
            council, "SELECT local_id, citizen_id FROM person_link WHERE department = 'housing' "
                     "AND match_method = 'deterministic' ORDER BY local_id LIMIT 1")
        (disputed_local, disputed_citizen), = _rows(
            council, "SELECT local_id, citizen_id FROM person_link WHERE department = 'housing' "
                     "AND match_method = 'probabilistic' ORDER BY local_id LIMIT 1")
        reviews.decide("housing", accepted.local_id, accepted.best.citizen_id, "accept",
                       "R. Viewer", "same person: nickname")
        reviews.decide("housing", rejected_review.local_id, rejected_review.best.citizen_id,
                       "reject", "R. Viewer", "different person")
        reviews.decide("housing", linked_local, linked_citizen, "reject", "R. Viewer",
                       "a twin")
        reviews.dispute("housing", disputed_local, "A. Guardian", "the client says not them")
        run(workspace, departments=["housing"], progress=False, thresholds=STRICT)
    finally:
        workspace.close()
    links = dict(_rows(council, "SELECT local_id, citizen_id FROM person_link "
                                "WHERE department = 'housing'"))
    methods = dict(_rows(council, "SELECT local_id, match_method FROM person_link "
                                  "WHERE department = 'housing'"))
    queue = dict(_rows(council, "SELECT local_id, reason FROM link_review "
                                "WHERE department = 'housing'"))
    assert links[accepted.local_id] == accepted.best.citizen_id
    assert methods[accepted.local_id] == "manual"
    assert links.get(rejected_review.local_id) != rejected_review.best.citizen_id
    assert links.get(linked_local) != linked_citizen
    assert disputed_local not in links and queue[disputed_local] == "disputed"
    decisions = _rows(council, "SELECT decision, reviewer, reason FROM link_decision "
                               "ORDER BY decided_at, local_id")
    assert sorted(d for d, *_ in decisions) == ["accept", "dispute", "reject", "reject"]
    assert all(reviewer and reason for _, reviewer, reason in decisions)
    assert disputed_citizen not in {c for local, c in links.items() if local == disputed_local}


def test_a_disputed_link_disappears_from_the_view(linked: Path, tmp_path: Path,
                                                  contract: Contract) -> None:
    council = tmp_path / "council"
    shutil.copytree(linked, council)
    (local, citizen), = _rows(council, "SELECT local_id, citizen_id FROM person_link "
                                       "WHERE department = 'housing' ORDER BY local_id LIMIT 1")
    query = "query($id: ID!) { citizen(id: $id) { id housing { tenantId } } }"
    with in_process_gateway(tmp_path / "gw", council, ALL_CLEAR) as gateway:
        before = gateway.post(query, {"id": str(citizen)}).json()
        assert before["data"]["citizen"]["housing"] == {"tenantId": str(local)}
        assert main(["link", "dispute", "housing", str(local), "--reviewer", "A. Guardian",
                     "--reason", "not the same person", "--sqlite-dir", str(council)]) == 0
        after = gateway.post(query, {"id": str(citizen)}).json()
    assert after["data"]["citizen"] == {"id": str(citizen), "housing": None}


def test_a_failed_run_says_so_and_keeps_the_previous_index(linked: Path, tmp_path: Path,
                                                           contract: Contract,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    council = tmp_path / "council"
    shutil.copytree(linked, council)
    before = _rows(council, "SELECT * FROM person_link ORDER BY department, local_id")
    (council / "socialcare.sqlite").write_bytes(b"this is not a database" * 100)
    assert main(["link", "--no-progress", "--sqlite-dir", str(council)]) == 2
    message = capsys.readouterr().err.strip()
    assert message.startswith("citizen-gateway link: ") and "socialcare" in message
    assert "\n" not in message and "Traceback" not in message
    assert _rows(council, "SELECT * FROM person_link ORDER BY department, local_id") == before


def test_the_linker_never_reads_the_ground_truth(council: Path, contract: Contract) -> None:
    (council / "registry_truth.sqlite").unlink()  # a run cannot depend on what is not there
    workspace = _workspace(contract, council)
    try:
        attached = {name for (name,) in workspace.db.execute(
            "SELECT database_name FROM duckdb_databases() WHERE NOT internal").fetchall()}
        run(workspace, departments=["education"], progress=False)
    finally:
        workspace.close()
    assert attached - {"memory"} == {"registry", *DEPARTMENTS}
    assert _rows(council, "SELECT count(*) FROM person_link WHERE department = 'education' "
                          "AND model_version IS NOT NULL")[0][0] > 0


def test_a_decision_without_a_reason_or_on_an_unknown_department_is_refused(
        linked: Path, contract: Contract) -> None:
    workspace = _workspace(contract, linked)
    try:
        with pytest.raises(LinkageError, match="reviewer and the reason"):
            Reviews(workspace).decide("housing", 1, 1, "accept", "R. Viewer", " ")
        with pytest.raises(Exception, match="no department 'library'"):
            Reviews(workspace).decide("library", 1, 1, "accept", "R. Viewer", "x")
    finally:
        workspace.close()


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("GATEWAY_DUCKDB_SQLITE_DIR", raising=False)
    yield
