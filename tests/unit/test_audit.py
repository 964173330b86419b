"""The audit log: one chained, durable line per request, safe under concurrency, and any edit,
deletion or insertion found at its line."""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

import pytest

from gateway.audit import GENESIS, AuditLog, record_hash
from gateway.pipeline.trace import operation_hash
from gateway.policy.authorize import Refusal
from gateway.policy.policy import RowVerdict, Verdict
from gateway.requester import Requester

ALICE = Requester("alice", ("caseworker",), "direct_care", (("team", "north-children"),))
VERDICTS = (
    Verdict("Citizen.givenName", "clear", "policy.csv:52 (p, caseworker, ...)"),
    Verdict("Citizen.niNumber", "partial", "policy.csv:53 (p, caseworker, ...)"),
)


def _write(log: AuditLog, number: int, citizens: tuple[int, ...] = (7,)) -> None:
    log.record(ALICE, operation=f"op{number}", policy_version="v1", outcome="answered",
               citizen_ids=citizens, verdicts=VERDICTS)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def test_a_record_says_who_why_what_and_which_fields(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl")
    record = log.record(
        ALICE, operation=operation_hash("{ citizen(id: 7) { givenName } }"), policy_version="v1",
        outcome="answered", citizen_ids=[7, "12", 7], verdicts=VERDICTS,
        rows=(RowVerdict("SocialCase", "own_team", "team", "policy.csv:48"),))
    [line] = _lines(log.path)
    assert json.loads(line) == record
    assert record["user"] == "alice" and record["roles"] == ["caseworker"]
    assert record["purpose"] == "direct_care" and record["attributes"] == {"team": "north-children"}
    assert record["policy"] == "v1" and record["outcome"] == "answered"
    assert record["citizens"] == ["7", "12"]
    assert record["operation"] == operation_hash("{ citizen(id: 7) { givenName } }")
    assert len(record["operation"]) == 16
    assert record["fields"]["clear"] == ["Citizen.givenName"]
    assert record["fields"]["masked"] == {"Citizen.niNumber": "partial"}
    assert record["fields"]["rules"]["Citizen.niNumber"].startswith("policy.csv:53")
    assert record["rows"] == [{"object": "SocialCase", "rule": "own_team",
                               "reason": "policy.csv:48"}]
    assert record["seq"] == 1 and record["prev"] == GENESIS
    assert record["hash"] == record_hash(record)
    assert len(record["operation"]) == 16 and "givenName" not in record["operation"]


def test_a_refused_request_records_the_refused_fields(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    record = log.record(
        ALICE, operation="op", policy_version="v1", outcome="refused:FORBIDDEN",
        verdicts=(Verdict("Encounter.diagnosisCode", "deny", "no rule matches"),),
        refusals=(Refusal("Encounter.diagnosisCode", "select", "no rule matches"),
                  Refusal("Citizen.dateOfBirth", "filter", "policy.csv:9")))
    assert record["fields"]["refused"] == ["Encounter.diagnosisCode",
                                           "Citizen.dateOfBirth (filter)"]
    assert record["citizens"] == []


def test_concurrent_records_make_one_valid_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    threads, each = 8, 25

    def work(worker: int) -> None:
        for number in range(each):
            _write(log, worker * 1000 + number)

    pool = [threading.Thread(target=work, args=(worker,)) for worker in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert len(_lines(log.path)) == threads * each
    result = log.verify()
    assert result.ok and result.records == threads * each
    seqs = [json.loads(line)["seq"] for line in _lines(log.path)]
    assert seqs == list(range(1, threads * each + 1))


def _process_writer(path: str, worker: int) -> None:
    log = AuditLog(Path(path))
    for number in range(20):
        _write(log, worker * 1000 + number)


def test_several_processes_share_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_process_writer, args=(str(path), worker))
                 for worker in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    result = AuditLog(path).verify()
    assert result.ok and result.records == 60


def test_a_new_log_object_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(AuditLog(path), 1)
    _write(AuditLog(path), 2)
    assert AuditLog(path).verify().records == 2
    assert json.loads(_lines(path)[1])["prev"] == json.loads(_lines(path)[0])["hash"]


@pytest.fixture
def ten(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    for number in range(10):
        _write(log, number, citizens=(number,))
    return log


def _rewrite(log: AuditLog, lines: list[str]) -> None:
    log.path.write_text("".join(lines))


def test_an_edited_line_is_found(ten: AuditLog) -> None:
    lines = _lines(ten.path)
    lines[4] = lines[4].replace('"user":"alice"', '"user":"mallory"')
    _rewrite(ten, lines)
    result = ten.verify()
    assert not result.ok and result.bad_line == 5 and "edited" in (result.problem or "")
    assert result.records == 4


def test_an_edited_line_with_its_hash_recomputed_is_found_on_the_next(ten: AuditLog) -> None:
    lines = _lines(ten.path)
    record = json.loads(lines[4])
    record["citizens"] = []
    record["hash"] = record_hash(record)
    lines[4] = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
    _rewrite(ten, lines)
    result = ten.verify()
    assert not result.ok and result.bad_line == 6


def test_a_deleted_line_is_found(ten: AuditLog) -> None:
    lines = _lines(ten.path)
    del lines[3]
    _rewrite(ten, lines)
    result = ten.verify()
    assert not result.ok and result.bad_line == 4 and "removed or inserted" in (result.problem or "")


def test_an_inserted_line_is_found(ten: AuditLog) -> None:
    lines = _lines(ten.path)
    lines.insert(2, lines[1])
    _rewrite(ten, lines)
    result = ten.verify()
    assert not result.ok and result.bad_line == 3


def test_swapped_lines_are_found(ten: AuditLog) -> None:
    lines = _lines(ten.path)
    lines[6], lines[7] = lines[7], lines[6]
    _rewrite(ten, lines)
    assert ten.verify().bad_line == 7


def test_a_torn_last_line_is_found(ten: AuditLog) -> None:
    ten.path.write_text(ten.path.read_text()[:-20])
    result = ten.verify()
    assert not result.ok and result.bad_line == 10


def test_records_for_a_citizen(ten: AuditLog) -> None:
    _write(ten, 99, citizens=(3, 4))
    found = ten.records_for_citizen(3)
    assert [record["operation"] for record in found] == ["op3", "op99"]
    assert ten.records_for_citizen("404") == []


def test_audit_commands(ten: AuditLog, capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.cli.main import main

    assert main(["audit", "verify", "--path", str(ten.path)]) == 0
    assert "ok: 10 records" in capsys.readouterr().out
    assert main(["audit", "citizen", "3", "--path", str(ten.path)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["citizens"] == ["3"]
    lines = _lines(ten.path)
    del lines[5]
    _rewrite(ten, lines)
    assert main(["audit", "verify", "--path", str(ten.path)]) == 1
    assert "line 6" in capsys.readouterr().out


def test_the_log_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    fresh = AuditLog(tmp_path / "new" / "audit.jsonl")
    fresh.record(ALICE, operation="op", policy_version="v1", outcome="answered")
    assert fresh.path.stat().st_mode & 0o777 == 0o600
    older = tmp_path / "older.jsonl"
    older.touch(mode=0o644)
    older.chmod(0o644)
    AuditLog(older).record(ALICE, operation="op", policy_version="v1", outcome="answered")
    assert older.stat().st_mode & 0o777 == 0o600
