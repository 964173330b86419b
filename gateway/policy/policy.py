"""Policy: the Casbin model and policy files, read, checked against the contract, and explained.

A policy is loaded whole or not at all: every problem (a parse error, an unknown role, purpose,
field or mask kind, a mask the field's type cannot carry, two rules that contradict each other,
a rule that can never take effect) is reported with the line it is on, and a policy with any
problem is refused. A loaded policy answers one question, `decisions(roles, purpose)`: for every
field of the contract, the decision and the rule that made it, computed once per (roles,
purpose) and kept for the life of the policy (a policy object is one version of the files).

Decisions: the STRICTEST of all rules matching any of the requester's roles wins; a field no
rule matches is refused. Casbin supplies the model, the role inheritance (`g`) and the matcher;
since Casbin's own enforce reports only the first matching rule, every rule is tried here with
the model's matcher, and all that match are kept.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import casbin
from casbin.model import Model
from casbin.util.builtin_operators import generate_g_function

from gateway.contract.contract import Contract
from gateway.errors import StartupError
from gateway.ir import MaskKind
from gateway.masks import is_mask
from gateway.policy.objects import (
    ANY,
    DECISIONS,
    STRICTNESS,
    Catalog,
    Decision,
    mask_problem,
    purpose_matches,
)
from gateway.policy.rows import ROW_RULES

MODEL_FILE = "model.conf"
POLICY_FILE = "policy.csv"
POLICY_FILES = (MODEL_FILE, POLICY_FILE)

DEFAULT_REASON = "no rule matches: refused by default"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ARITY = {"p": 4, "p2": 4, "p3": 2, "g": 2}


class PolicyError(StartupError):
    """A policy that cannot be used; `problems` says every reason, each with its line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Problem:
    where: str  # file:line, or the file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """One line of policy.csv."""

    source: str  # policy.csv:42
    ptype: str
    values: tuple[str, ...]

    @property
    def role(self) -> str:
        return self.values[0]

    @property
    def purpose(self) -> str:
        return self.values[1]

    @property
    def object(self) -> str:
        return self.values[2]

    @property
    def outcome(self) -> str:
        """The decision of a field rule, the rule name of a row rule."""
        return self.values[3]

    def __str__(self) -> str:
        return f"{self.source} ({', '.join((self.ptype, *self.values))})"


# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The decision about one field for one requester, and the rule that made it."""

    object: str
    decision: Decision
    reason: str

    @property
    def mask(self) -> MaskKind | None:
        return self.decision if is_mask(self.decision) else None


@dataclass(frozen=True)
class RowVerdict:
    """A row rule in force for one requester: where, which rule, and the line that says so."""

    object: str
    rule: str
    column: str
    reason: str


@dataclass(frozen=True)
class Decisions:
    """Everything a policy version decides for one (roles, purpose)."""

    roles: tuple[str, ...]
    purpose: str
    version: str
    fields: Mapping[str, Verdict]
    rows: Mapping[str, tuple[RowVerdict, ...]]

    def field(self, name: str) -> Verdict:
        return self.fields.get(name) or Verdict(name, "deny", DEFAULT_REASON)

    def row_rules(self, name: str) -> tuple[RowVerdict, ...]:
        return self.rows.get(name, ())


@dataclass(frozen=True)
class Vocabulary:
    roles: frozenset[str]
    purposes: frozenset[str]


# ---------------------------------------------------------------- reading the files


def policy_version(directory: Path) -> str:
    """SHA-256 of the policy files' contents: the version every request is recorded with."""
    digest = hashlib.sha256()
    for name in POLICY_FILES:
        path = directory / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def _split(line: str) -> list[str]:
    return [token.strip() for token in line.split(",")]


def parse_rules(text: str, source: str = POLICY_FILE) -> tuple[list[Rule], list[Problem]]:
    rules: list[Rule] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{source}:{number}"
        if not line or line.startswith("#"):
            continue
        if "#" in line:
            problems.append(Problem(where, "a comment must be on a line of its own"))
            continue
        tokens = _split(line)
        ptype, values = tokens[0], tuple(tokens[1:])
        if ptype not in _ARITY:
            problems.append(Problem(where, f"unknown kind of line {ptype!r} (p, p2, p3 or g)"))
            continue
        if len(values) != _ARITY[ptype]:
            problems.append(Problem(where, f"a {ptype} line has {_ARITY[ptype]} values after "
                                           f"{ptype}, not {len(values)}"))
            continue
        if not all(values):
            problems.append(Problem(where, "a value is empty"))
            continue
        rules.append(Rule(where, ptype, values))
    return rules, problems


def _read_model(path: Path) -> tuple[Model | None, list[Problem]]:
    where = path.name
    if not path.exists():
        return None, [Problem(where, "missing")]
    model = Model()
    try:
        model.load_model(str(path))
    except Exception as error:  # casbin raises plain exceptions of several kinds
        return None, [Problem(where, f"cannot be read as a Casbin model: {error}")]
    expected = {
        ("r", "r"): ["r_role", "r_purpose", "r_object"],
        ("r", "r2"): ["r2_role", "r2_purpose", "r2_object"],
        ("p", "p"): ["p_role", "p_purpose", "p_object", "p_decision"],
        ("p", "p2"): ["p2_role", "p2_purpose", "p2_object", "p2_rule"],
        ("p", "p3"): ["p3_kind", "p3_name"],
    }
    problems = []
    for (section, key), tokens in expected.items():
        assertion = model.model.get(section, {}).get(key)
        if assertion is None or assertion.tokens != tokens:
            problems.append(Problem(where, f"{key} must be `{key} = "
                                    f"{', '.join(t.split('_', 1)[1] for t in tokens)}`"))
    for key in ("m", "m2"):
        if key not in model.model.get("m", {}):
            problems.append(Problem(where, f"matcher {key} is missing"))
    if "g" not in model.model.get("g", {}):
        problems.append(Problem(where, "role inheritance g = _, _ is missing"))
    return (None if problems else model), problems


def _check_vocabulary(rules: list[Rule]) -> tuple[Vocabulary, list[Problem]]:
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Rule] = {}
    roles: set[str] = set()
    purposes: set[str] = set()
    for rule in rules:
        if rule.ptype != "p3":
            continue
        kind, name = rule.values
        if kind not in ("role", "purpose"):
            problems.append(Problem(rule.source, f"declares a {kind!r}: only role or purpose"))
            continue
        if not _NAME.fullmatch(name):
            problems.append(Problem(rule.source, f"{name!r} is not a name (a-z, 0-9, _)"))
            continue
        if (kind, name) in seen:
            problems.append(Problem(rule.source, f"repeats {seen[(kind, name)].source}"))
        seen[(kind, name)] = rule
        (roles if kind == "role" else purposes).add(name)
    return Vocabulary(frozenset(roles), frozenset(purposes)), problems


def _check_names(rule: Rule, vocabulary: Vocabulary) -> list[str]:
    found = []
    if rule.role != "*" and rule.role not in vocabulary.roles:
        found.append(f"unknown role {rule.role!r} (declare it with p3, role, {rule.role})")
    purpose = rule.purpose[1:] if rule.purpose.startswith("!") else rule.purpose
    if purpose != "*" and purpose not in vocabulary.purposes:
        found.append(f"unknown purpose {purpose!r} (declare it with p3, purpose, {purpose})")
    if rule.purpose == "!*":
        found.append("!* matches no purpose")
    return found


def _check_rules(rules: list[Rule], vocabulary: Vocabulary, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    by_key: dict[tuple[str, ...], Rule] = {}
    for rule in rules:
        if rule.ptype == "g":
            for role in rule.values:
                if role not in vocabulary.roles:
                    problems.append(Problem(rule.source, f"unknown role {role!r}"))
            if rule.values[0] == rule.values[1]:
                problems.append(Problem(rule.source, "a role cannot inherit from itself"))
            continue
        if rule.ptype not in ("p", "p2"):
            continue
        messages = _check_names(rule, vocabulary)
        if rule.ptype == "p":
            pattern_problem = catalog.pattern_problem(rule.object)
            if pattern_problem:
                messages.append(pattern_problem)
            elif rule.outcome not in DECISIONS:
                messages.append(f"unknown decision {rule.outcome!r} "
                                f"(one of {', '.join(DECISIONS)})")
            else:
                covered = catalog.expand(rule.object)
                if not covered:
                    messages.append(f"{rule.object} matches no field")
                messages.extend(problem for target in covered
                                if (problem := mask_problem(target, rule.outcome)))
        else:
            if rule.outcome not in ROW_RULES:
                messages.append(f"unknown row rule {rule.outcome!r} "
                                f"(one of {', '.join(ROW_RULES)})")
            elif (rule.object, rule.outcome) not in catalog.row_targets:
                places = sorted(name for name, kind in catalog.row_targets if kind == rule.outcome)
                where = ", ".join(places) or "nothing in the contract"
                messages.append(f"{rule.outcome} cannot apply to {rule.object} "
                                f"(it can apply to {where})")
        key = (rule.ptype, rule.role, rule.purpose, rule.object)
        earlier = by_key.get(key)
        if earlier is not None:
            messages.append(f"repeats {earlier.source}" if earlier.outcome == rule.outcome
                            else f"contradicts {earlier.source} ({earlier.outcome})")
        else:
            by_key[key] = rule
        problems.extend(Problem(rule.source, message) for message in messages)
    problems.extend(_inheritance_cycles(rules))
    return problems


def _inheritance_cycles(rules: list[Rule]) -> list[Problem]:
    parents: dict[str, list[str]] = {}
    for rule in rules:
        if rule.ptype == "g":
            parents.setdefault(rule.values[0], []).append(rule.values[1])

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for parent in parents.get(start, []):
            if parent == goal or (parent not in seen and reaches(parent, goal, seen | {parent})):
                return True
        return False

    return [Problem(rule.source, f"inheritance cycle: {rule.values[1]} already inherits from "
                    f"{rule.values[0]}")
            for rule in rules
            if rule.ptype == "g" and reaches(rule.values[1], rule.values[0], set())]


# ---------------------------------------------------------------- the policy


class Policy:
    """One version of the policy files, checked against the contract."""

    def __init__(self, directory: Path, version: str, model: Model, rules: list[Rule],
                 vocabulary: Vocabulary, catalog: Catalog) -> None:
        self.directory = directory
        self.version = version
        self.rules = tuple(rules)
        self.vocabulary = vocabulary
        self.catalog = catalog
        self.enforcer = casbin.Enforcer(model)
        for rule in rules:
            if rule.ptype == "g":
                self.enforcer.add_named_grouping_policy("g", *rule.values)
            elif rule.ptype in ("p", "p2", "p3"):
                self.enforcer.add_named_policy(rule.ptype, *rule.values)
        self.enforcer.add_function("purposeMatch", purpose_matches)
        self.enforcer.add_function("objectMatch", catalog.matches)
        functions = self.enforcer.fm.get_functions()
        functions["g"] = generate_g_function(self.enforcer.model["g"]["g"].rm)
        self._matchers = {
            ptype: self.enforcer._get_expression(self.enforcer.model["m"][key].value, functions)
            for ptype, key in (("p", "m"), ("p2", "m2"))
        }
        self._by_values = {(rule.ptype, rule.values): rule for rule in rules}
        self._lock = threading.Lock()
        self._per_role: dict[tuple[str, str], dict[str, list[Rule]]] = {}
        self._decisions: dict[tuple[tuple[str, ...], str], Decisions] = {}

    # ------------------------------------------------------------ matching

    def _matching(self, ptype: str, role: str, purpose: str, objects: Iterable[str],
                  prefilter: Callable[[str, str], bool]) -> dict[str, list[Rule]]:
        """Every rule of `ptype` the model's matcher applies to (role, purpose, object)."""
        matcher = self._matchers[ptype]
        request = "r" if ptype == "p" else "r2"

        def applies(values: list[str], object_name: str) -> bool:
            parameters: dict[str, Any] = {
                f"{request}_role": role, f"{request}_purpose": purpose,
                f"{request}_object": object_name}
            parameters.update(zip(self.enforcer.model["p"][ptype].tokens, values, strict=True))
            return bool(matcher.eval(parameters))

        candidates = [values for values in self.enforcer.get_named_policy(ptype)
                      if applies(values, ANY)]
        found: dict[str, list[Rule]] = {}
        for object_name in objects:
            for values in candidates:
                if prefilter(object_name, values[2]) and applies(values, object_name):
                    found.setdefault(object_name, []).append(
                        self._by_values[(ptype, tuple(values))])
        return found

    def _rules_for_role(self, role: str, purpose: str) -> dict[str, list[Rule]]:
        key = (role, purpose)
        cached = self._per_role.get(key)
        if cached is None:
            cached = self._matching("p", role, purpose, self.catalog.targets, self.catalog.matches)
            rows = self._matching("p2", role, purpose,
                                  {name for name, _ in self.catalog.row_targets},
                                  lambda request, pattern: request == pattern)
            cached.update({f"rows:{name}": found for name, found in rows.items()})
            self._per_role[key] = cached
        return cached

    def decisions(self, roles: Iterable[str], purpose: str) -> Decisions:
        """The decision about every field for a requester holding `roles`, for `purpose`."""
        key = (tuple(sorted(set(roles))), purpose)
        with self._lock:
            cached = self._decisions.get(key)
            if cached is not None:
                return cached
            matched: dict[str, list[Rule]] = {}
            for role in key[0]:
                for name, rules in self._rules_for_role(role, purpose).items():
                    matched.setdefault(name, []).extend(rules)
            fields: dict[str, Verdict] = {}
            rows: dict[str, tuple[RowVerdict, ...]] = {}
            for name, rules in matched.items():
                if name.startswith("rows:"):
                    name = name[len("rows:"):]
                    unique = {rule.outcome: rule for rule in reversed(rules)}
                    rows[name] = tuple(
                        RowVerdict(name, rule_name,
                                   self.catalog.row_targets[(name, rule_name)].column, str(rule))
                        for rule_name, rule in sorted(unique.items()))
                    continue
                strictest = max(rules, key=lambda rule: STRICTNESS[rule.outcome])  # first on ties
                fields[name] = Verdict(name, strictest.outcome, str(strictest))  # type: ignore[arg-type]
            decided = Decisions(key[0], purpose, self.version, fields, rows)
            if len(self._decisions) > 1024:
                self._decisions.clear()
            self._decisions[key] = decided
            return decided

    # ------------------------------------------------------------ whole-policy checks

    def unused_rules(self) -> list[Problem]:
        """Rules that never decide anything: a stricter rule wins wherever they apply."""
        decided: set[str] = set()
        matched_anywhere: dict[str, str] = {}
        for role in sorted(self.vocabulary.roles):
            for purpose in sorted(self.vocabulary.purposes):
                matched = self._rules_for_role(role, purpose)
                for name, rules in matched.items():
                    if name.startswith("rows:"):
                        decided.update(rule.source for rule in rules)
                        continue
                    top = max(STRICTNESS[rule.outcome] for rule in rules)
                    winners = [rule for rule in rules if STRICTNESS[rule.outcome] == top]
                    decided.update(rule.source for rule in winners)
                    for rule in rules:
                        matched_anywhere.setdefault(rule.source, winners[0].source)
        problems = []
        for rule in self.rules:
            if rule.ptype not in ("p", "p2") or rule.source in decided:
                continue
            if rule.source in matched_anywhere:
                problems.append(Problem(rule.source, (
                    f"never takes effect: wherever it applies a stricter rule decides (e.g. "
                    f"{matched_anywhere[rule.source]})")))
            else:
                problems.append(Problem(rule.source, "applies to no role and purpose"))
        return problems


def read_policy(directory: Path, contract: Contract, catalog: Catalog | None = None) -> Policy:
    """The policy in `directory`, or PolicyError listing every problem."""
    directory = Path(directory)
    version = policy_version(directory)
    model, problems = _read_model(directory / MODEL_FILE)
    policy_path = directory / POLICY_FILE
    if not policy_path.exists():
        raise PolicyError([*problems, Problem(POLICY_FILE, "missing")])
    try:
        text = policy_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError([*problems, Problem(POLICY_FILE, f"cannot be read: {error}")]) from None
    rules, parse_problems = parse_rules(text)
    problems.extend(parse_problems)
    vocabulary, vocabulary_problems = _check_vocabulary(rules)
    problems.extend(vocabulary_problems)
    catalog = catalog or Catalog(contract)
    problems.extend(_check_rules(rules, vocabulary, catalog))
    if not vocabulary.roles or not vocabulary.purposes:
        problems.append(Problem(POLICY_FILE, "declares no roles or no purposes (p3 lines)"))
    if problems or model is None:
        raise PolicyError(problems)
    policy = Policy(directory, version, model, rules, vocabulary, catalog)
    unused = policy.unused_rules()
    if unused:
        raise PolicyError(unused)
    return policy


def check_policy(directory: Path, contract: Contract) -> list[Problem]:
    """Every problem of the policy in `directory` (empty when it can be used)."""
    try:
        read_policy(directory, contract)
    except PolicyError as error:
        return list(error.problems)
    return []


def explain(policy: Policy, roles: Iterable[str], purpose: str) -> list[str]:
    decisions = policy.decisions(roles, purpose)
    width = max(len(name) for name in policy.catalog.targets)
    lines = [f"policy {policy.version[:16]}  roles {', '.join(decisions.roles)}  purpose {purpose}"]
    for name in policy.catalog.targets:
        verdict = decisions.field(name)
        lines.append(f"{name:<{width}}  {verdict.decision:<9}  {verdict.reason}")
    for name in sorted({name for name, _ in policy.catalog.row_targets}):
        for row in decisions.row_rules(name):
            lines.append(f"rows of {name}: {row.rule} ({ROW_RULES[row.rule].meaning})  "
                         f"{row.reason}")
    return lines
