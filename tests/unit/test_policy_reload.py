"""Hot reload: a good edit takes effect; a broken edit is rejected and the last good policy holds."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from governance_support import copy_policies

from gateway.contract.contract import Contract
from gateway.policy.store import PolicyStore, PolicyUnavailable

WARD = "p, analyst, service_planning, Citizen.ward, clear\n"


def _edit(directory: Path, old: str, new: str) -> None:
    """Replace the file the way editors do: write a new file, rename it over the old one."""
    path = directory / "policy.csv"
    text = path.read_text()
    assert old in text
    staged = directory / ".policy.csv.new"
    staged.write_text(text.replace(old, new))
    os.replace(staged, path)


def _ward(store: PolicyStore) -> str:
    return store.current().decisions(["analyst"], "service_planning").field("Citizen.ward").decision


def test_a_good_edit_takes_effect(tmp_path: Path, contract: Contract) -> None:
    directory = copy_policies(tmp_path)
    store = PolicyStore(directory, contract)
    first = store.current().version
    assert _ward(store) == "clear"
    _edit(directory, WARD, WARD.replace("clear", "pseudonym"))
    assert _ward(store) == "pseudonym"
    assert store.current().version != first
    assert store.status()["rejected"] is None


def test_an_in_place_edit_of_the_same_size_takes_effect(tmp_path: Path,
                                                        contract: Contract) -> None:
    directory = copy_policies(tmp_path)
    store = PolicyStore(directory, contract)
    assert _ward(store) == "clear"
    path = directory / "policy.csv"
    text = path.read_text()
    with open(path, "r+") as handle:  # same inode, same size, maybe the same mtime tick
        handle.write(text.replace(WARD, WARD.replace("clear", "deny ")))
    assert _ward(store) == "deny"


def test_a_broken_edit_is_rejected_and_the_previous_policy_holds(
        tmp_path: Path, contract: Contract, caplog: pytest.LogCaptureFixture) -> None:
    directory = copy_policies(tmp_path)
    store = PolicyStore(directory, contract)
    good = store.current()
    with caplog.at_level(logging.ERROR, logger="gateway.policy.policy"):
        _edit(directory, WARD, WARD + "p, analyst, service_planning, Citizen.shoeSize, clear\n")
        assert store.current() is good
        assert _ward(store) == "clear"
        store.current()  # polled again: the same rejected version is not logged twice
    assert len([r for r in caplog.records if "rejected" in r.getMessage()]) == 1
    status = store.status()
    assert status["ready"] and status["version"] == good.version
    assert status["rejected"] is not None
    assert any("shoeSize" in problem for problem in status["rejected"]["problems"])
    # fixing the file clears the rejection and takes effect
    _edit(directory, "p, analyst, service_planning, Citizen.shoeSize, clear\n", "")
    assert store.current() is good  # back to exactly the version in force
    assert store.status()["rejected"] is None


@pytest.mark.parametrize("breakage", [
    lambda d: (d / "model.conf").write_text("not a model"),
    lambda d: (d / "policy.csv").unlink(),
    lambda d: (d / "policy.csv").write_bytes(b"\xff\xfe not utf-8"),
    lambda d: _edit(d, WARD, WARD.replace("clear", "redact, extra")),
])
def test_every_kind_of_breakage_keeps_the_last_good_policy(
        breakage: Callable[[Path], object], tmp_path: Path, contract: Contract) -> None:
    directory = copy_policies(tmp_path)
    store = PolicyStore(directory, contract)
    good = store.current()
    breakage(directory)
    assert store.current() is good
    assert store.status()["rejected"] is not None


def test_a_broken_policy_at_start_refuses_every_request(tmp_path: Path,
                                                        contract: Contract) -> None:
    directory = copy_policies(tmp_path, "p, janitor, audit, Citizen.id, clear\n")
    store = PolicyStore(directory, contract)
    with pytest.raises(PolicyUnavailable) as raised:
        store.current()
    assert raised.value.status == 503
    assert store.status()["ready"] is False
    _edit(directory, "p, janitor, audit, Citizen.id, clear\n", "")
    assert _ward(store) == "clear"
    assert store.status()["ready"] is True


def test_polling_interval(tmp_path: Path, contract: Contract) -> None:
    directory = copy_policies(tmp_path)
    store = PolicyStore(directory, contract, poll_seconds=3600)
    _edit(directory, WARD, WARD.replace("clear", "pseudonym"))
    assert _ward(store) == "clear"  # not looked at again within the interval
