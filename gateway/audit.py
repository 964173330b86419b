"""Audit: one append-only, hash-chained JSON line per request, durable before the response leaves.

Each record says who asked (user, roles, attributes), why (purpose), what (operation hash), under
which policy version, which citizens came back, which fields were returned clear, masked (with the
mask kind) or refused, with the rule that decided each, and the outcome. Each record holds the
SHA-256 of the previous one (`prev`) and its own (`hash`, over its canonical JSON without `hash`),
so editing, deleting or inserting a line breaks the chain at that line. Appends are serialized by
a lock (threads) and an exclusive file lock (processes), then flushed and fsynced.

What a chain alone cannot show: lines cut off the END of the file, or a whole chain rewritten by
someone who can write the file. Publish `verify().last_hash` elsewhere from time to time to
anchor it.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.errors import GatewayError
from gateway.pipeline.trace import Trace
from gateway.policy.authorize import AuthorizedPlan, Refusal, Refused
from gateway.policy.policy import RowVerdict, Verdict
from gateway.requester import Requester

GENESIS = "0" * 64
_TAIL_CHUNK = 4096


def canonical(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k != "hash"})).hexdigest()


def field_summary(verdicts: Iterable[Verdict], refusals: Iterable[Refusal] = ()) -> dict[str, Any]:
    """Fields returned clear, masked (field -> mask kind) and refused, and the rule of each."""
    clear: list[str] = []
    masked: dict[str, str] = {}
    refused: list[str] = []
    rules: dict[str, str] = {}
    for verdict in verdicts:
        rules.setdefault(verdict.object, verdict.reason)
        if verdict.decision == "clear":
            clear.append(verdict.object)
        elif verdict.decision == "deny":
            refused.append(verdict.object)
        else:
            masked[verdict.object] = verdict.decision
    for refusal in refusals:
        label = refusal.object if refusal.use == "select" else f"{refusal.object} ({refusal.use})"
        if label not in refused:
            refused.append(label)
        rules.setdefault(label, refusal.reason)
    return {"clear": clear, "masked": masked, "refused": refused, "rules": rules}


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int  # lines that verified
    bad_line: int | None = None  # 1-based number of the first line that does not
    problem: str | None = None
    last_hash: str = GENESIS

    def __str__(self) -> str:
        if self.ok:
            return f"ok: {self.records} records, chain intact, last hash {self.last_hash}"
        return f"line {self.bad_line}: {self.problem} ({self.records} records verified before it)"


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._tail: tuple[int, str, int] | None = None  # (file size, last hash, last seq)

    # ------------------------------------------------------------ writing

    def record(self, requester: Requester, *, operation: str, policy_version: str, outcome: str,
               citizen_ids: Iterable[str | int] = (), verdicts: Iterable[Verdict] = (),
               refusals: Iterable[Refusal] = (), rows: Iterable[RowVerdict] = (),
               missing: Iterable[str] = (), filters: Iterable[str] = (),
               at: datetime.datetime | None = None) -> dict[str, Any]:
        """Append one durable record; returns it (with `seq`, `prev` and `hash`). Raises OSError
        when the record cannot be written: the caller must then not send the response.
        `missing`: departments left out of a partial answer because they did not answer;
        `filters`: the fields the request filtered on (Type.field)."""
        when = at or datetime.datetime.now(datetime.UTC)
        body: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds"),
            "user": requester.user,
            "roles": list(requester.roles),
            "purpose": requester.purpose,
            "attributes": dict(requester.attributes),
            "operation": operation,
            "policy": policy_version,
            "outcome": outcome,
            "citizens": sorted({str(citizen) for citizen in citizen_ids}, key=_id_order),
            "fields": field_summary(verdicts, refusals),
            "rows": [{"object": row.object, "rule": row.rule, "reason": row.reason}
                     for row in rows],
        }
        if filters:
            body["filters"] = list(filters)
        if missing:
            body["missing"] = sorted(set(missing))
        return self.append(body)

    def record_request(self, requester: Requester, trace: Trace, outcome: str,
                       error: GatewayError | None) -> dict[str, Any]:
        """The audit stage: one record of a request that reached authentication, from its trace
        (the authorization it got, the citizens it returned, the departments it left out)."""
        authorization = trace.authorization
        verdicts = authorization.verdicts if authorization is not None else ()
        refusals = authorization.refusals if isinstance(authorization, Refused) else ()
        rows = authorization.rows if isinstance(authorization, AuthorizedPlan) else ()
        filters = authorization.filters if isinstance(authorization, AuthorizedPlan) else ()
        return self.record(
            requester, operation=trace.operation_hash, policy_version=trace.policy_version,
            outcome=outcome if error is None else f"{outcome}:{error.code}",
            citizen_ids=trace.citizen_ids, verdicts=verdicts, refusals=refusals, rows=rows,
            missing=trace.missing, filters=filters)

    def append(self, body: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            # Owner-only: the log names who read whose records. An older, wider file is narrowed.
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "ab") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    size = os.fstat(handle.fileno()).st_size
                    if self._tail is not None and self._tail[0] == size:
                        prev, seq = self._tail[1], self._tail[2]
                    else:  # another process wrote since (or first write): read the last line
                        prev, seq = self._read_tail()
                    record = {**body, "seq": seq + 1, "prev": prev}
                    record["hash"] = record_hash(record)
                    line = canonical(record) + b"\n"
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
                    self._tail = (size + len(line), record["hash"], seq + 1)
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            if created:
                _fsync_directory(self.path.parent)
            return record

    def _read_tail(self) -> tuple[str, int]:
        with open(self.path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            data = b""
            position = end
            while position > 0 and data.count(b"\n") < 2:
                step = min(_TAIL_CHUNK, position)
                position -= step
                handle.seek(position)
                data = handle.read(step) + data
        lines = [line for line in data.split(b"\n") if line.strip()]
        if not lines:
            return GENESIS, 0
        last = json.loads(lines[-1])
        return str(last["hash"]), int(last["seq"])

    # ------------------------------------------------------------ reading

    def records(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def records_for_citizen(self, citizen_id: str | int) -> list[dict[str, Any]]:
        wanted = str(citizen_id)
        return [record for record in self.records() if wanted in record.get("citizens", ())]

    def verify(self) -> Verification:
        """Walk the chain; report the first line that was edited, removed or inserted."""
        prev, seq, count = GENESIS, 0, 0
        if not self.path.exists():
            return Verification(True, 0)
        with open(self.path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                problem = _line_problem(line, prev, seq)
                if problem is not None:
                    return Verification(False, count, number, problem, prev)
                record = json.loads(line)
                prev, seq, count = record["hash"], record["seq"], count + 1
        return Verification(True, count, last_hash=prev)


def _line_problem(line: bytes, prev: str, seq: int) -> str | None:
    if not line.endswith(b"\n"):
        return "the line is incomplete (no newline at its end)"
    try:
        record = json.loads(line)
    except ValueError:
        return "not a JSON record"
    if not isinstance(record, dict) or not {"hash", "prev", "seq"} <= record.keys():
        return "not an audit record (no hash, prev or seq)"
    if record["prev"] != prev:
        return "its prev hash is not the hash of the line before: a line was removed or inserted"
    if record["seq"] != seq + 1:
        return f"sequence number {record['seq']} follows {seq}: a line was removed or inserted"
    if record["hash"] != record_hash(record):
        return "its contents do not match its hash: the line was edited"
    if canonical(record) + b"\n" != line:
        return "the line is not in canonical form: the line was edited"
    return None


def _id_order(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (1 << 62, value)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
