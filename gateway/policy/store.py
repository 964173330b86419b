"""The policy in force, reloaded safely when its files change.

`current()` looks at the files' modification times (at most every `poll_seconds`); when they
changed and their contents hash to a new version, the new version is read and checked against the
contract. A version with any problem is rejected: the last good policy stays in force, the
rejection is logged once and shown by `status()` (for /readyz) until a good version replaces it.
Without any good policy (a broken policy at start-up) `current()` raises: fail closed.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.contract.contract import Contract
from gateway.errors import GatewayError
from gateway.policy.objects import Catalog
from gateway.policy.policy import POLICY_FILES, Policy, PolicyError, policy_version, read_policy

log = logging.getLogger("gateway.policy.policy")
_SETTLE_NS = 2_000_000_000


@dataclass(frozen=True)
class Rejection:
    version: str
    at: float
    problems: tuple[str, ...]


class PolicyUnavailable(GatewayError):
    """No valid policy has ever loaded: every request is refused."""

    status = 503
    code = "POLICY_UNAVAILABLE"


class PolicyStore:
    def __init__(self, policy_dir: Path, contract: Contract, poll_seconds: float = 0.0) -> None:
        self.directory = Path(policy_dir)
        self.catalog = Catalog(contract)
        self.contract = contract
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._policy: Policy | None = None
        self._loaded_at: float | None = None
        self._rejection: Rejection | None = None
        self._fingerprint: tuple[tuple[int, int, int], ...] | None = None
        self._checked_at = time.monotonic()  # the files were just read below
        self._refresh()

    def _stat(self) -> tuple[tuple[int, int, int], ...]:
        found = []
        for name in POLICY_FILES:
            try:
                stat = (self.directory / name).stat()
                found.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
            except OSError:
                found.append((0, -1, 0))
        return tuple(found)

    def _refresh(self) -> None:
        fingerprint = self._stat()
        # A file modified within the file system's timestamp granularity may change again
        # without its (mtime, size, inode) changing: such files are re-hashed on every poll.
        settled = all(time.time_ns() - mtime > _SETTLE_NS for mtime, _, _ in fingerprint)
        if fingerprint == self._fingerprint and settled:
            return
        self._fingerprint = fingerprint
        try:
            version = policy_version(self.directory)
        except OSError as error:
            self._reject("unreadable", (f"cannot read the policy files: {error}",))
            return
        if self._policy is not None and version == self._policy.version:
            self._rejection = None  # edited back to the version in force
            return
        if self._rejection is not None and version == self._rejection.version:
            return
        try:
            policy = read_policy(self.directory, self.contract, self.catalog)
        except PolicyError as error:
            self._reject(version, tuple(str(problem) for problem in error.problems))
            return
        previous = self._policy.version[:16] if self._policy else "none"
        self._policy, self._loaded_at, self._rejection = policy, time.time(), None
        log.info("policy %s in force (was %s)", policy.version[:16], previous)

    def _reject(self, version: str, problems: tuple[str, ...]) -> None:
        self._rejection = Rejection(version, time.time(), problems)
        kept = self._policy.version[:16] if self._policy else "none: requests are refused"
        log.error("policy version %s rejected; policy in force: %s. Problems:\n  %s",
                  version[:16], kept, "\n  ".join(problems))

    def _poll(self) -> None:
        """Look at the files again once the polling interval has passed (lock held)."""
        now = time.monotonic()
        if now - self._checked_at >= self.poll_seconds:
            self._checked_at = now
            self._refresh()

    def current(self) -> Policy:
        """The policy in force, after picking up a changed, valid policy from the files."""
        with self._lock:
            self._poll()
            if self._policy is None:
                raise PolicyUnavailable("no valid access policy is loaded")
            return self._policy

    def status(self) -> dict[str, Any]:
        """For /readyz: the version in force and the last rejected version, if any."""
        with self._lock:
            self._poll()  # an edit shows here even while no request comes in
            policy = self._policy
            rejection = self._rejection
            return {
                "ready": policy is not None,
                "version": policy.version if policy else None,
                "loaded_at": self._loaded_at,
                "rejected": None if rejection is None else {
                    "version": rejection.version, "at": rejection.at,
                    "problems": list(rejection.problems)},
            }
