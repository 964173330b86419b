"""Authorize: a planned operation, a requester and a policy become the plan that requester may run.

Every field the operation reaches gets the policy's verdict (clear, a mask, or deny) with the rule
that made it. A denied field refuses the whole operation, naming the field and nothing else. A
masked field is read through its mask, inside the engine. A filter, a sort or a cursor over a
field the requester does not see in clear is refused: it would let them learn the value by
asking. Row rules become predicates the compiler ANDs into the reads: `row_filter` on the rows of
a type, `parent_guard` on the parent row under which a nested record may be read at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from gateway.contract.contract import JoinField
from gateway.errors import Forbidden
from gateway.ir import (
    AllOf,
    AnyOf,
    CitizenLookup,
    CitizenPage,
    Column,
    CursorPart,
    EdgesPart,
    EndCursorPart,
    IntrospectionRoot,
    Mask,
    Negation,
    Nested,
    OperationPlan,
    PageInfoPart,
    Predicate,
    Related,
    Root,
    Selection,
    Sort,
    Typename,
    comparisons,
)
from gateway.policy.objects import INTROSPECTION, QUERY
from gateway.policy.policy import Decisions, Policy, RowVerdict, Verdict, Vocabulary
from gateway.policy.rows import ROW_RULES
from gateway.requester import Requester

Use = Literal["select", "filter", "sort", "cursor"]


@dataclass(frozen=True)
class Refusal:
    """Something the operation asked for that the policy does not allow."""

    object: str
    use: Use
    reason: str  # the rule that decided (for the audit; never sent to the client)


@dataclass(frozen=True)
class AuthorizedPlan:
    """The plan with masks and row rules in place, and every verdict that shaped it."""

    plan: OperationPlan
    requester: Requester
    policy_version: str
    verdicts: tuple[Verdict, ...]  # each field the operation returns, once, in order of reach
    rows: tuple[RowVerdict, ...]  # each row rule applied
    filters: tuple[str, ...] = ()  # each field the operation filters on (Type.field), once


class Refused(Forbidden):
    """The operation asks for something the policy refuses. The message names the fields only."""

    def __init__(self, message: str, refusals: tuple[Refusal, ...],
                 verdicts: tuple[Verdict, ...], policy_version: str) -> None:
        super().__init__(message)
        self.refusals = refusals
        self.verdicts = verdicts
        self.policy_version = policy_version


_WHAT = {"select": "not permitted", "filter": "filtering on it is not permitted",
         "sort": "sorting on it is not permitted",
         "cursor": "pagination cursors are not available (they carry the sort values)"}


def _chosen(order: tuple[Sort, ...], key: str) -> tuple[Sort, ...]:
    """The sorts the requester chose. The planner ends every order with the table key as the
    tie-breaker; ordering by the key is the default order and tells nothing."""
    return order[:-1] if order and order[-1].column == key else order


def _all_of(parts: list[Predicate]) -> Predicate | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


class _Authorizer:
    def __init__(self, policy: Policy, decisions: Decisions, requester: Requester) -> None:
        self.policy = policy
        self.decisions = decisions
        self.requester = requester
        self.verdicts: dict[str, Verdict] = {}
        self.rows: dict[tuple[str, str], RowVerdict] = {}
        self.filters: dict[str, None] = {}  # fields the request filters on, in order of reach
        self.refusals: dict[tuple[str, Use], Refusal] = {}

    # ------------------------------------------------------------ verdicts

    def _verdict(self, name: str) -> Verdict:
        verdict = self.decisions.field(name)
        self.verdicts.setdefault(name, verdict)
        if verdict.decision == "deny":
            self._refuse(name, "select", verdict)
        return verdict

    def _refuse(self, name: str, use: Use, verdict: Verdict) -> None:
        self.refusals.setdefault((name, use), Refusal(name, use, verdict.reason))

    def _must_be_clear(self, name: str, use: Use) -> bool:
        verdict = self.decisions.field(name)
        if verdict.decision != "clear":
            self._refuse(name, use, verdict)
            return False
        return True

    def _filter(self, type_name: str, predicate: Predicate | None) -> Predicate | None:
        """A filter is a read: each field it compares must be clear for this requester, each
        record or list it looks into must be theirs to see, and inside it only the rows they
        may see count (the row rules go in, as when the same records are selected)."""
        if predicate is None:
            return None
        for compare in comparisons(predicate):
            name = f"{type_name}.{compare.field}"
            self.filters.setdefault(name)
            self._must_be_clear(name, "filter")
        return self._related_rules(type_name, predicate)

    def _related_rules(self, type_name: str, predicate: Predicate) -> Predicate:
        if isinstance(predicate, AllOf | AnyOf):
            return replace(predicate, parts=tuple(self._related_rules(type_name, part)
                                                  for part in predicate.parts))
        if isinstance(predicate, Negation):
            return replace(predicate, part=self._related_rules(type_name, predicate.part))
        if not isinstance(predicate, Related):
            return predicate
        name = f"{type_name}.{predicate.field}"
        self.filters.setdefault(name)
        if not self._must_be_clear(name, "filter"):
            return predicate  # refused: its contents are not looked at
        return replace(
            predicate,
            where=self._filter(predicate.type_name, predicate.where),
            row_filter=self._with_rows(predicate.row_filter, predicate.type_name),
            parent_guard=self._with_rows(predicate.parent_guard, name),
        )

    # ------------------------------------------------------------ row rules

    def _row_predicates(self, name: str) -> list[Predicate]:
        predicates: list[Predicate] = []
        for row in self.decisions.row_rules(name):
            self.rows.setdefault((row.object, row.rule), row)
            predicates.append(ROW_RULES[row.rule].predicate(row.column, self.requester))
        return predicates

    def _with_rows(self, existing: Predicate | None, name: str) -> Predicate | None:
        return _all_of([*([existing] if existing is not None else []), *self._row_predicates(name)])

    # ------------------------------------------------------------ selections

    def _is_default_order(self, parent: str, nested: Nested) -> bool:
        join = self.policy.catalog.contract.objects[parent].fields.get(nested.field)
        if not isinstance(join, JoinField):
            return not nested.order
        default = [(key.column, key.descending) for key in join.default_order]
        if not any(column == nested.table_key for column, _ in default):
            default.append((nested.table_key, False))
        return [(sort.column, sort.descending) for sort in nested.order] == default

    def _check_order(self, type_name: str, order: tuple[Sort, ...]) -> None:
        for sort in order:
            self._must_be_clear(f"{type_name}.{sort.field}", "sort")

    def selections(self, type_name: str,
                   selections: tuple[Selection, ...]) -> tuple[Selection, ...]:
        authorized: list[Selection] = []
        for selection in selections:
            if isinstance(selection, Typename):
                authorized.append(selection)
            elif isinstance(selection, Column):
                verdict = self._verdict(f"{type_name}.{selection.field}")
                mask = verdict.mask
                authorized.append(selection if mask is None
                                  else replace(selection, mask=Mask(mask, verdict.reason)))
            else:
                authorized.append(self.nested(type_name, selection))
        return tuple(authorized)

    def nested(self, parent: str, nested: Nested) -> Nested:
        name = f"{parent}.{nested.field}"
        if self._verdict(name).decision == "deny":
            return nested  # refused: its contents are not looked at
        if not self._is_default_order(parent, nested):
            self._check_order(nested.type_name, _chosen(nested.order, nested.table_key))
        return replace(
            nested,
            where=self._filter(nested.type_name, nested.where),
            selections=self.selections(nested.type_name, nested.selections),
            row_filter=self._with_rows(nested.row_filter, nested.type_name),
            parent_guard=self._with_rows(nested.parent_guard, name),
        )

    # ------------------------------------------------------------ roots

    def _lookup(self, root: CitizenLookup, type_name: str) -> CitizenLookup:
        self._verdict(f"{QUERY}.citizen")
        return replace(root, selections=self.selections(type_name, root.selections),
                       row_filter=self._with_rows(root.row_filter, type_name))

    def _page(self, root: CitizenPage, type_name: str) -> CitizenPage:
        self._verdict(f"{QUERY}.citizens")
        where = self._filter(type_name, root.where)
        self._check_order(type_name, _chosen(root.order, root.table_key))
        unclear = [sort for sort in root.order
                   if self.decisions.field(f"{type_name}.{sort.field}").decision != "clear"]
        if unclear:
            wants_cursor = root.after is not None or any(
                (isinstance(part, EdgesPart) and any(isinstance(p, CursorPart) for p in part.parts))
                or (isinstance(part, PageInfoPart)
                and any(isinstance(p, EndCursorPart) for p in part.parts))
                for part in root.parts)
            if wants_cursor:
                for sort in unclear:
                    self._refuse(f"{type_name}.{sort.field}", "cursor",
                                 self.decisions.field(f"{type_name}.{sort.field}"))
        return replace(root, where=where,
                       views=tuple(self.selections(type_name, view) for view in root.views),
                       row_filter=self._with_rows(root.row_filter, type_name))

    def root(self, root: Root) -> Root:
        type_name = self.policy.catalog.contract.root.name
        if isinstance(root, IntrospectionRoot):
            self._verdict(INTROSPECTION)
            return root
        if isinstance(root, CitizenLookup):
            return self._lookup(root, type_name)
        if isinstance(root, CitizenPage):
            return self._page(root, type_name)
        return root  # __typename of Query


class UnknownToPolicy(Forbidden):
    """A validly signed token whose role or purpose the policy does not know: refused, and
    audited like any refusal (the requester is known)."""

    def __init__(self, message: str, requester: Requester) -> None:
        super().__init__(message)
        self.requester = requester


def check_vocabulary(requester: Requester, vocabulary: Vocabulary) -> None:
    for role in requester.roles:
        if role not in vocabulary.roles:
            raise UnknownToPolicy(f"role {role!r} is not known to the access policy", requester)
    if requester.purpose not in vocabulary.purposes:
        raise UnknownToPolicy(f"purpose {requester.purpose!r} is not known to the access policy",
                              requester)


def _check_requester(requester: Requester, policy: Policy) -> None:
    if not requester.roles:
        raise Forbidden("the token names no role")
    check_vocabulary(requester, policy.vocabulary)


def introspection_allowed(policy: Policy, requester: Requester) -> bool:
    """May the requester read the schema? Decided before validation, from the same policy that
    then authorizes the plan (an unknown role is refused there, so it simply may not here)."""
    return policy.decisions(requester.roles, requester.purpose).field(INTROSPECTION).decision \
        == "clear"


def authorize(plan: OperationPlan, requester: Requester, policy: Policy) -> AuthorizedPlan:
    """The plan `requester` may run under `policy`, or Refused naming what they may not see."""
    _check_requester(requester, policy)
    decisions = policy.decisions(requester.roles, requester.purpose)
    authorizer = _Authorizer(policy, decisions, requester)
    roots = tuple(authorizer.root(root) for root in plan.roots)
    verdicts = tuple(authorizer.verdicts.values())
    if authorizer.refusals:
        refusals = tuple(authorizer.refusals.values())
        by_use: dict[str, list[str]] = {}
        for refusal in refusals:
            by_use.setdefault(_WHAT[refusal.use], []).append(refusal.object)
        message = "; ".join(f"{', '.join(names)}: {what}" for what, names in by_use.items())
        raise Refused(f"Your role and purpose do not allow this request. {message}.",
                      refusals, verdicts, policy.version)
    return AuthorizedPlan(replace(plan, roots=roots), requester, policy.version, verdicts,
                          tuple(authorizer.rows.values()), tuple(authorizer.filters))
