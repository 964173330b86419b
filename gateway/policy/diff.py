"""Comparing two policy versions: what each role gains or loses, per purpose and field."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.policy.objects import DECISIONS, STRICTNESS
from gateway.policy.policy import Policy


@dataclass(frozen=True)
class Change:
    role: str
    purpose: str
    object: str
    before: str
    after: str

    @property
    def gains(self) -> bool:
        return _openness(self.after) > _openness(self.before)

    def __str__(self) -> str:
        verb = "gains" if self.gains else "loses"
        return (f"{self.role} / {self.purpose}: {verb} {self.object}: "
                f"{self.before} -> {self.after}")


def _openness(outcome: str) -> int:
    if outcome.startswith("row rule"):
        return 0
    if outcome == "no row rule":
        return 1
    return len(DECISIONS) - 1 - STRICTNESS.get(outcome, len(DECISIONS) - 1)


def diff_policies(before: Policy, after: Policy) -> list[Change]:
    """What each single role gains or loses, per purpose and field, from `before` to `after`."""
    changes: list[Change] = []
    roles = sorted(before.vocabulary.roles | after.vocabulary.roles)
    purposes = sorted(before.vocabulary.purposes | after.vocabulary.purposes)
    objects = list(dict.fromkeys([*before.catalog.targets, *after.catalog.targets]))
    row_objects = sorted({name for name, _ in before.catalog.row_targets}
                         | {name for name, _ in after.catalog.row_targets})
    for role in roles:
        for purpose in purposes:
            old = before.decisions([role], purpose)
            new = after.decisions([role], purpose)
            for name in objects:
                was, now = old.field(name).decision, new.field(name).decision
                if was != now:
                    changes.append(Change(role, purpose, name, was, now))
            for name in row_objects:
                was_rules = {row.rule for row in old.row_rules(name)}
                now_rules = {row.rule for row in new.row_rules(name)}
                changes.extend(Change(role, purpose, name, f"row rule {rule_name}", "no row rule")
                               for rule_name in sorted(was_rules - now_rules))
                changes.extend(Change(role, purpose, name, "no row rule", f"row rule {rule_name}")
                               for rule_name in sorted(now_rules - was_rules))
    return changes
