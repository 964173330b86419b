"""The masks, declared once: what each does, which values it fits, how the engine computes it.

A mask is an expression over the column, typed to the field (as Trino's column masks are), so a
masked value never leaves the engine in clear. The policy checker asks `fits`, the contract
takes its `@generalised` masks from here, and the compiler calls `build`; adding a mask is one
entry below (and its name in `ir.MaskKind`).

>>> MASKS["district"].meaning
'a postcode keeps only its outward code, e.g. B15'
>>> sorted(GENERALISATIONS)
['age_band', 'district', 'year']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard, get_args

from sqlglot import exp

from gateway.ir import Kind, MaskKind

ALL_KINDS: frozenset[Kind] = frozenset(get_args(Kind))

# build(value, sql_type, key): the masked form of `value`, whose field has `sql_type`; `key` is
# the pseudonym key (only `pseudonym` reads it).
Build = Callable[[exp.Expr, exp.DataType, str], exp.Expr]


@dataclass(frozen=True)
class MaskSpec:
    meaning: str
    kinds: frozenset[Kind]  # the value kinds that can carry it and stay the contract's type
    build: Build
    generalises: bool = False  # the contract may impose it on a field (@generalised)
    reads_date: bool = False  # only on a String field reading the column of a Date field


def _text(value: exp.Expr) -> exp.Expr:
    return exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))


def _redact(value: exp.Expr, sql_type: exp.DataType, key: str) -> exp.Expr:
    return exp.Cast(this=exp.Null(), to=sql_type.copy())


def _partial(value: exp.Expr, sql_type: exp.DataType, key: str) -> exp.Expr:
    text = _text(value)
    length = exp.Length(this=text.copy())
    tail = exp.Substring(this=text.copy(),
                         start=exp.Sub(this=length.copy(), expression=exp.Literal.number(3)))
    return exp.Case(
        ifs=[exp.If(this=exp.GT(this=length.copy(), expression=exp.Literal.number(4)),
                    true=exp.Pad(this=tail, expression=length.copy(),
                                 fill_pattern=exp.Literal.string("*"), is_left=True))],
        default=exp.Pad(this=exp.Literal.string(""), expression=length,
                        fill_pattern=exp.Literal.string("*"), is_left=True),
    )


def _pseudonym(value: exp.Expr, sql_type: exp.DataType, key: str) -> exp.Expr:
    keyed = exp.Concat(expressions=[exp.Literal.string(key + "|"), _text(value)])
    # SHA2 of the UTF-8 bytes is lower-case hex in both dialects (Trino: to_hex(sha256(
    # to_utf8(..))), DuckDB: sha256(encode(..))); 16 hex digits = 64 bits.
    digest = exp.SHA2(this=exp.Encode(this=keyed, charset=exp.Literal.string("utf-8")),
                      length=exp.Literal.number(256))
    return exp.Concat(expressions=[
        exp.Literal.string("p-"),
        exp.Substring(this=digest, start=exp.Literal.number(1), length=exp.Literal.number(16)),
    ])


def _year(value: exp.Expr, sql_type: exp.DataType, key: str) -> exp.Expr:
    return exp.Cast(this=exp.DateTrunc(unit=exp.Literal.string("year"), this=value),  # type: ignore[no-untyped-call]
                    to=exp.DataType.build("DATE"))


def _district(value: exp.Expr, sql_type: exp.DataType, key: str) -> exp.Expr:
    return exp.Anonymous(this="split_part", expressions=[_text(value), exp.Literal.string(" "),
                                                         exp.Literal.number(1)])


def _month_day(date: exp.Expr) -> exp.Expr:
    return exp.Add(this=exp.Mul(this=exp.Month(this=date.copy()), expression=exp.Literal.number(100)),
                   expression=exp.Day(this=date.copy()))


def _age_band(value: exp.Expr, sql_type: exp.DataType, key: str) -> exp.Expr:
    # Whole years of age, computed the same way in every dialect (DuckDB's date_diff counts year
    # boundaries, Trino's whole years): years apart, less one before the birthday this year.
    today = exp.CurrentDate()
    before_birthday = exp.Case(
        ifs=[exp.If(this=exp.LT(this=_month_day(today), expression=_month_day(value)),
                    true=exp.Literal.number(1))],
        default=exp.Literal.number(0))
    apart = exp.Sub(this=exp.Year(this=today.copy()), expression=exp.Year(this=value.copy()))
    years = exp.Paren(this=exp.Sub(this=apart, expression=before_birthday))
    low = exp.Mul(this=exp.IntDiv(this=years, expression=exp.Literal.number(10)),
                  expression=exp.Literal.number(10))
    return exp.Concat(expressions=[
        _text(low), exp.Literal.string("-"),
        _text(exp.Add(this=low.copy(), expression=exp.Literal.number(9))),
    ])


# From loosest to strictest (the policy's order of decisions between "clear" and "deny").
MASKS: dict[MaskKind, MaskSpec] = {
    "partial": MaskSpec("all but the last 4 characters hidden", frozenset({"string", "id"}),
                        _partial),
    "district": MaskSpec("a postcode keeps only its outward code, e.g. B15",
                         frozenset({"string"}), _district, generalises=True),
    "year": MaskSpec("a date becomes 1 January of its year", frozenset({"date"}), _year,
                     generalises=True),
    "age_band": MaskSpec("a date of birth becomes a ten-year band of age today, e.g. 30-39",
                         frozenset({"string"}), _age_band, generalises=True, reads_date=True),
    "pseudonym": MaskSpec("a keyed hash: the same value, the same pseudonym; no way back",
                          frozenset({"string", "id"}), _pseudonym),
    "redact": MaskSpec("null", ALL_KINDS, _redact),
}
assert set(MASKS) == set(get_args(MaskKind)), "every MaskKind has one entry in MASKS"

GENERALISATIONS: frozenset[MaskKind] = frozenset(
    name for name, spec in MASKS.items() if spec.generalises)


def is_mask(name: str) -> TypeGuard[MaskKind]:
    return name in MASKS
