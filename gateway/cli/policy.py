"""`citizen-gateway policy check|explain|diff`: the access policy, for the people who own it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway.contract.contract import Contract, load_contract
from gateway.policy.diff import diff_policies
from gateway.policy.policy import Policy, PolicyError, check_policy, explain, read_policy
from gateway.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("policy", help="check, explain and compare the access policy")
    commands = parser.add_subparsers(dest="policy_command", required=True, metavar="ACTION")

    check = commands.add_parser("check", help="check the policy against the contract; "
                                "a line per problem, non-zero exit if any")
    check.add_argument("--dir", type=Path, help="policy folder (default: GATEWAY_POLICY_DIR)")
    check.set_defaults(handler=_check)

    explain_parser = commands.add_parser(
        "explain", help="every field's decision for a role and purpose, and the rule that made it")
    explain_parser.add_argument("--role", action="append", required=True, dest="roles",
                                help="a role; repeat for a requester holding several")
    explain_parser.add_argument("--purpose", required=True)
    explain_parser.add_argument("--dir", type=Path, help="policy folder")
    explain_parser.set_defaults(handler=_explain)

    diff = commands.add_parser("diff", help="what each role gains and loses from policy A to B")
    diff.add_argument("before", type=Path, help="policy folder A (before)")
    diff.add_argument("after", type=Path, help="policy folder B (after)")
    diff.set_defaults(handler=_diff)


def _contract() -> Contract:
    return load_contract(load_settings().contract_path)


def _directory(args: argparse.Namespace) -> Path:
    return Path(args.dir) if args.dir else load_settings().policy_dir


def _load(directory: Path, contract: Contract) -> Policy | None:
    try:
        return read_policy(directory, contract)
    except PolicyError as error:
        for problem in error.problems:
            print(f"{directory}/{problem}", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    directory = _directory(args)
    problems = check_policy(directory, _contract())
    for problem in problems:
        print(f"{directory}/{problem}")
    if problems:
        print(f"{len(problems)} problem(s): the policy would be rejected", file=sys.stderr)
        return 1
    print(f"{directory}: ok")
    return 0


def _explain(args: argparse.Namespace) -> int:
    policy = _load(_directory(args), _contract())
    if policy is None:
        return 1
    unknown = [role for role in args.roles if role not in policy.vocabulary.roles]
    if unknown or args.purpose not in policy.vocabulary.purposes:
        print(f"unknown {'role ' + unknown[0] if unknown else 'purpose ' + args.purpose}; "
              f"roles: {', '.join(sorted(policy.vocabulary.roles))}; "
              f"purposes: {', '.join(sorted(policy.vocabulary.purposes))}", file=sys.stderr)
        return 2
    for line in explain(policy, args.roles, args.purpose):
        print(line)
    return 0


def _diff(args: argparse.Namespace) -> int:
    contract = _contract()
    before, after = _load(args.before, contract), _load(args.after, contract)
    if before is None or after is None:
        return 1
    changes = diff_policies(before, after)
    for change in changes:
        print(change)
    gains = sum(change.gains for change in changes)
    print(f"{gains} gained, {len(changes) - gains} lost "
          f"({before.version[:16]} -> {after.version[:16]})")
    return 0
