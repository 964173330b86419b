"""Checking a policy against the contract: each kind of mistake is refused with its line, and
explain / diff / check say what a policy does."""

from __future__ import annotations

from pathlib import Path

import pytest
from governance_support import (
    AGE_BAND_RULE,
    POLICIES,
    contract_with_age_band,
    copy_policies,
)

from gateway.contract.contract import Contract
from gateway.policy.diff import diff_policies
from gateway.policy.objects import DECISIONS
from gateway.policy.policy import PolicyError, check_policy, explain, policy_version, read_policy


def test_the_shipped_policy_has_no_problems(contract: Contract) -> None:
    assert check_policy(POLICIES, contract) == []


# (what is wrong, lines appended to policy.csv, a fragment of the problem reported)
MISTAKES = [
    ("unknown role", "p, janitor, direct_care, Citizen.id, clear", "unknown role 'janitor'"),
    ("unknown purpose", "p, caseworker, curiosity, Citizen.id, clear",
     "unknown purpose 'curiosity'"),
    ("unknown purpose after !", "p2, *, !curiosity, Citizen.health, not_opted_out",
     "unknown purpose 'curiosity'"),
    ("unknown field", "p, analyst, service_planning, Citizen.shoeSize, clear",
     "Citizen has no field 'shoeSize'"),
    ("unknown type", "p, analyst, service_planning, Vehicle.*, clear", "unknown type 'Vehicle'"),
    ("unknown department", "p, analyst, service_planning, police:*, clear",
     "unknown department 'police'"),
    ("not an object", "p, analyst, service_planning, everything, clear", "is not Type.field"),
    ("unknown mask kind", "p, analyst, service_planning, Citizen.ward, blur",
     "unknown decision 'blur'"),
    ("redact on a non-null field", "p, analyst, service_planning, Citizen.sex, redact",
     "never null"),
    ("age_band on a Date", "p, housing_officer, service_planning, Citizen.dateOfBirth, age_band",
     "not a Date"),
    ("age_band on a String that is no date",
     "p, housing_officer, service_planning, Citizen.ward, age_band", "reads no date column"),
    ("partial on an enum", "p, housing_officer, service_planning, Citizen.sex, partial",
     "cannot be applied to Citizen.sex (enum)"),
    ("year on a String", "p, housing_officer, service_planning, Citizen.ward, year",
     "cannot be applied to Citizen.ward (string)"),
    ("pseudonym on a number", "p, housing_officer, service_planning, RentAccount.balance, "
     "pseudonym", "cannot be applied to RentAccount.balance (float)"),
    ("a mask on a nested record", "p, housing_officer, service_planning, Citizen.health, redact",
     "is a nested record or list: use clear or deny"),
    ("a mask on a wildcard that reaches a field it breaks",
     "p, housing_officer, service_planning, Tenancy.*, pseudonym",
     "cannot be applied to Tenancy.tenure"),
    ("contradiction", "p, analyst, service_planning, Citizen.ward, redact",
     "contradicts policy.csv:"),
    ("repetition", "p, analyst, service_planning, Citizen.ward, clear", "repeats policy.csv:"),
    ("a rule a stricter one always overrides (an admin inherits the auditor's deny)",
     "p, auditor, audit, Citizen.ward, deny\np, admin, audit, Citizen.ward, clear",
     "never takes effect"),
    ("unknown row rule", "p2, caseworker, *, SocialCase, own_postcode",
     "unknown row rule 'own_postcode'"),
    ("a row rule where it cannot apply", "p2, caseworker, *, Encounter, own_team",
     "own_team cannot apply to Encounter"),
    ("unknown role in inheritance", "g, admin, superuser", "unknown role 'superuser'"),
    ("inheritance cycle", "g, auditor, admin", "inheritance cycle"),
    ("unknown kind of line", "x, analyst, service_planning, Citizen.ward, clear",
     "unknown kind of line 'x'"),
    ("too few values", "p, analyst, Citizen.ward, clear", "a p line has 4 values"),
    ("an empty value", "p, analyst, , Citizen.ward, clear", "a value is empty"),
    ("a comment after a rule", "p, analyst, audit, Citizen.ward, clear  # for audits",
     "a comment must be on a line of its own"),
    ("an undeclared vocabulary kind", "p3, team, north", "only role or purpose"),
]


@pytest.mark.parametrize(("line", "expected"), [(line, expected) for _, line, expected in MISTAKES],
                         ids=[name for name, _, _ in MISTAKES])
def test_each_mistake_is_refused_with_its_line(line: str, expected: str, tmp_path: Path,
                                               contract: Contract) -> None:
    directory = copy_policies(tmp_path, line + "\n")
    last_line = len((directory / "policy.csv").read_text().splitlines())
    problems = check_policy(directory, contract)
    assert problems, "the mistake was not found"
    assert any(expected in problem.message for problem in problems), problems
    assert any(problem.where == f"policy.csv:{last_line}" for problem in problems), problems


def test_the_age_band_mask_needs_and_accepts_a_string_field_reading_a_date(
        tmp_path: Path) -> None:
    contract = contract_with_age_band(tmp_path)
    directory = copy_policies(tmp_path / "policies", AGE_BAND_RULE)
    policy = read_policy(directory, contract)
    assert policy.decisions(["analyst"], "service_planning").field(
        "Citizen.ageBand").decision == "age_band"


@pytest.mark.parametrize(("model", "expected"), [
    ("[request_definition]\nr = sub, obj\n", "must be"),
    ("this is not a model", "cannot be read as a Casbin model"),
])
def test_a_broken_model_is_refused(model: str, expected: str, tmp_path: Path,
                                   contract: Contract) -> None:
    directory = copy_policies(tmp_path)
    (directory / "model.conf").write_text(model)
    problems = check_policy(directory, contract)
    assert any(problem.where == "model.conf" and expected in problem.message
               for problem in problems), problems


def test_a_missing_file_is_refused(tmp_path: Path, contract: Contract) -> None:
    directory = copy_policies(tmp_path)
    (directory / "policy.csv").unlink()
    with pytest.raises(PolicyError, match=r"policy\.csv: missing"):
        read_policy(directory, contract)


def test_default_deny(tmp_path: Path, contract: Contract) -> None:
    policy = read_policy(POLICIES, contract)
    verdict = policy.decisions(["auditor"], "audit").field("Encounter.diagnosisText")
    assert (verdict.decision, verdict.reason) == ("deny", "no rule matches: refused by default")
    assert DECISIONS[-1] == "deny" and DECISIONS[0] == "clear"


def test_version_is_the_hash_of_the_files(tmp_path: Path) -> None:
    directory = copy_policies(tmp_path)
    before = policy_version(directory)
    assert before == policy_version(POLICIES)
    with open(directory / "policy.csv", "a") as handle:
        handle.write("# a comment changes the version too\n")
    assert policy_version(directory) != before


def test_explain_gives_each_field_and_the_rule(contract: Contract) -> None:
    policy = read_policy(POLICIES, contract)
    lines = explain(policy, ["caseworker"], "direct_care")
    by_field = {line.split()[0]: line for line in lines[1:] if not line.startswith("rows ")}
    assert set(by_field) == set(policy.catalog.targets)
    assert " partial " in by_field["Citizen.niNumber"]
    assert "Citizen.niNumber, partial)" in by_field["Citizen.niNumber"]
    assert "refused by default" in by_field["Encounter.diagnosisCode"]
    assert any(line.startswith("rows of SocialCase: own_team") for line in lines)


def test_diff_says_what_each_role_gains_and_loses(tmp_path: Path, contract: Contract) -> None:
    before = read_policy(POLICIES, contract)
    directory = copy_policies(tmp_path)
    text = (directory / "policy.csv").read_text()
    text = text.replace("p, analyst, service_planning, Citizen.ward, clear\n",
                        "p, analyst, service_planning, Citizen.ward, pseudonym\n")
    text = text.replace("p, auditor, audit, Citizen.dateOfBirth, clear\n",
                        "p, auditor, audit, Citizen.dateOfBirth, clear\n"
                        "p, auditor, audit, Citizen.postcode, district\n")
    text = text.replace("p2, caseworker, *, SocialCase, own_team\n", "")
    (directory / "policy.csv").write_text(text)
    changes = [str(change) for change in diff_policies(before, read_policy(directory, contract))]
    assert "analyst / service_planning: loses Citizen.ward: clear -> pseudonym" in changes
    assert "auditor / audit: gains Citizen.postcode: deny -> district" in changes
    assert "admin / audit: gains Citizen.postcode: deny -> district" in changes  # inherits
    assert ("caseworker / direct_care: gains SocialCase: row rule own_team -> no row rule"
            in changes)
    assert len(changes) == 3 + 4  # ward, postcode (auditor, admin), own_team for 4 purposes


def test_policy_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.cli.main import main

    assert main(["policy", "check", "--dir", str(POLICIES)]) == 0
    broken = copy_policies(tmp_path / "broken", "p, janitor, audit, Citizen.id, clear\n"
                                                "p, analyst, audit, Citizen.shoeSize, clear\n")
    capsys.readouterr()
    assert main(["policy", "check", "--dir", str(broken)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "unknown role 'janitor'" in out[0] and "shoeSize" in out[1]
    assert main(["policy", "explain", "--role", "analyst", "--purpose", "service_planning",
                 "--dir", str(POLICIES)]) == 0
    assert "Citizen.postcode" in capsys.readouterr().out
    assert main(["policy", "diff", str(POLICIES), str(POLICIES)]) == 0
    assert "0 gained, 0 lost" in capsys.readouterr().out
