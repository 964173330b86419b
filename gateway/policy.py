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
from typing import Any, Literal, get_args

import casbin
from casbin.model import Model
from casbin.util.builtin_operators import generate_g_function

from gateway.contract import ColumnField, Contract, JoinField, LinkField
from gateway.ir import MaskKind

MODEL_FILE = "model.conf"
POLICY_FILE = "policy.csv"
POLICY_FILES = (MODEL_FILE, POLICY_FILE)

Decision = Literal["clear", "partial", "district", "year", "age_band", "pseudonym", "redact",
                   "deny"]
# From loosest to strictest. When several rules match, the later one in this order wins.
DECISIONS: tuple[Decision, ...] = get_args(Decision)
MASKS: frozenset[str] = frozenset(get_args(MaskKind))
STRICTNESS: dict[str, int] = {decision: rank for rank, decision in enumerate(DECISIONS)}
DEFAULT_REASON = "no rule matches: refused by default"

RowRuleName = Literal["own_team", "not_opted_out"]
ROW_RULES: dict[str, str] = {
    "own_team": "only rows whose team is the requester's own team (the `team` of their token)",
    "not_opted_out": "only for citizens who have not registered the national data opt-out",
}
TEAM_FIELD = "team"
OPT_OUT_FIELD = "healthOptOut"

QUERY = "Query"
ROOT_FIELDS = ("citizen", "citizens")
INTROSPECTION = "Query.__schema"  # covers __schema and __type: the schema, never data
ANY = "\x00any"  # a request object every pattern matches: "which rules could apply at all"

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ARITY = {"p": 4, "p2": 4, "p3": 2, "g": 2}

Category = Literal["value", "record", "list", "root", "schema"]

# The masks each kind of value can carry and still be the type the contract promises.
_MASKS_BY_KIND: dict[str, frozenset[str]] = {
    "string": frozenset({"redact", "partial", "pseudonym", "district", "age_band"}),
    "id": frozenset({"redact", "partial", "pseudonym"}),
    "date": frozenset({"redact", "year"}),
}


class PolicyError(Exception):
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


# ---------------------------------------------------------------- what a policy talks about


@dataclass(frozen=True)
class Target:
    """A thing a field rule decides about: a field of the contract, a root field, introspection."""

    name: str  # Type.field
    type_name: str
    field: str
    department: str  # "" for Query fields
    category: Category
    kind: str = ""  # value fields: id, string, int, float, boolean, date, enum
    nullable: bool = True
    date_column: bool = False  # a String field reading a column a Date field of its type reads


@dataclass(frozen=True)
class RowTarget:
    """Where a row rule can apply and the column it needs: a type (own_team) or a nested field."""

    name: str
    rule: str
    column: str


class Catalog:
    """Every policy object of one contract, and how the patterns of policy.csv match them."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        targets: list[Target] = [Target(f"{QUERY}.{name}", QUERY, name, "", "root")
                                 for name in ROOT_FIELDS]
        targets.append(Target(INTROSPECTION, QUERY, "__schema", "", "schema"))
        row_targets: list[RowTarget] = []
        for info in contract.objects.values():
            date_columns = {f.column for f in info.fields.values()
                            if isinstance(f, ColumnField) and f.kind == "date"}
            team = info.fields.get(TEAM_FIELD)
            if isinstance(team, ColumnField) and team.kind == "string":
                row_targets.append(RowTarget(info.name, "own_team", team.column))
            opt_out = info.fields.get(OPT_OUT_FIELD)
            for name, field_info in info.fields.items():
                qualified = f"{info.name}.{name}"
                if isinstance(field_info, ColumnField):
                    targets.append(Target(
                        qualified, info.name, name, info.department, "value", field_info.kind,
                        field_info.nullable,
                        field_info.kind == "string" and field_info.column in date_columns))
                    continue
                department = (contract.objects[field_info.target].department
                              if isinstance(field_info, LinkField) else info.department)
                many = isinstance(field_info, JoinField) and field_info.many
                targets.append(Target(qualified, info.name, name, department,
                                      "list" if many else "record"))
                if isinstance(opt_out, ColumnField) and opt_out.kind == "boolean":
                    row_targets.append(RowTarget(qualified, "not_opted_out", opt_out.column))
        self.targets: dict[str, Target] = {target.name: target for target in targets}
        self.row_targets: dict[tuple[str, str], RowTarget] = {
            (row.name, row.rule): row for row in row_targets}
        self.types = frozenset(contract.objects) | {QUERY}
        self.departments = frozenset(contract.departments())

    def pattern_problem(self, pattern: str) -> str | None:
        """Why a field-rule object names nothing in the contract (None when it is fine)."""
        if pattern == "*" or pattern in self.targets:
            return None
        if pattern.endswith(":*"):
            department = pattern[:-2]
            if department in self.departments:
                return None
            known = ", ".join(sorted(self.departments))
            return f"unknown department {department!r} (known: {known})"
        type_name, dot, field_name = pattern.partition(".")
        if not dot:
            return f"{pattern!r} is not Type.field, Type.*, department:* or *"
        if type_name not in self.types:
            return f"unknown type {type_name!r}"
        if field_name != "*":
            return f"{type_name} has no field {field_name!r}"
        return None

    def matches(self, request: str, pattern: str) -> bool:
        """objectMatch(r.object, p.object) of the model."""
        if request == ANY or pattern in ("*", request):
            return True
        target = self.targets.get(request)
        if target is None:
            return False
        if pattern.endswith(":*"):
            return target.department == pattern[:-2] and target.category != "schema"
        if pattern.endswith(".*"):
            return (target.type_name == pattern[:-2]
                    and target.category in ("value", "root", "schema"))
        return False

    def expand(self, pattern: str) -> list[Target]:
        return [target for target in self.targets.values() if self.matches(target.name, pattern)]


def purpose_matches(request: str, pattern: str) -> bool:
    """purposeMatch(r.purpose, p.purpose) of the model: *, !x (every purpose but x), or x."""
    if request == ANY or pattern == "*":
        return True
    if pattern.startswith("!"):
        return request != pattern[1:]
    return request == pattern


def mask_problem(target: Target, decision: str) -> str | None:
    """Why `decision` cannot be applied to `target` without breaking the contract."""
    if decision in ("clear", "deny"):
        return None
    if target.category != "value":
        what = "a nested record or list" if target.category in ("record", "list") else "a query"
        return f"{decision} applies to values; {target.name} is {what}: use clear or deny"
    if decision == "redact" and not target.nullable:
        return (f"redact would make {target.name} null, but the contract says it is never null: "
                "use deny, or a mask that keeps a value")
    if decision == "age_band":
        if target.kind == "date":
            return (f"age_band turns a date into a band such as 30-39, which is not a Date: mask "
                    f"{target.name} with year, or give the contract a String field reading the "
                    "same column (e.g. ageBand: String @column(name: \"date_of_birth\")) and "
                    "band that")
        if not target.date_column:
            return (f"age_band needs a date: {target.name} is a String that reads no date column "
                    "(a Date field of the same type must read the same column)")
        return None
    allowed = _MASKS_BY_KIND.get(target.kind, frozenset({"redact"}))
    if decision not in allowed:
        return (f"{decision} cannot be applied to {target.name} ({target.kind}): "
                f"it can take {', '.join(sorted(allowed | {'clear', 'deny'}))}")
    return None


# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The decision about one field for one requester, and the rule that made it."""

    object: str
    decision: Decision
    reason: str

    @property
    def mask(self) -> MaskKind | None:
        if self.decision in ("clear", "deny"):
            return None
        return self.decision  # type: ignore[return-value]


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


# ---------------------------------------------------------------- comparing two versions


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


def explain(policy: Policy, roles: Iterable[str], purpose: str) -> list[str]:
    decisions = policy.decisions(roles, purpose)
    width = max(len(name) for name in policy.catalog.targets)
    lines = [f"policy {policy.version[:16]}  roles {', '.join(decisions.roles)}  purpose {purpose}"]
    for name in policy.catalog.targets:
        verdict = decisions.field(name)
        lines.append(f"{name:<{width}}  {verdict.decision:<9}  {verdict.reason}")
    for name in sorted({name for name, _ in policy.catalog.row_targets}):
        for row in decisions.row_rules(name):
            lines.append(f"rows of {name}: {row.rule} ({ROW_RULES[row.rule]})  {row.reason}")
    return lines
