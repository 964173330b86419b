"""A selected column as it leaves the engine: masked where the verdict or the contract says so,
enum values renamed, cast to the type of its GraphQL field.

>>> from gateway.ir import Column, Mask
>>> column_value("t", Column("ward", "ward", "ward", "string", mask=Mask("redact")), "k").sql("trino")
'CAST(CAST(NULL AS VARCHAR) AS VARCHAR)'
"""

from __future__ import annotations

from sqlglot import exp

from gateway.compile.sql import column, sql_type
from gateway.ir import Column, Mask
from gateway.masks import MASKS


def column_value(alias: str, selected: Column, pseudonym_key: str) -> exp.Expr:
    raw: exp.Expr = column(alias, selected.column)
    mask = selected.mask
    if selected.generalised is not None and (mask is None or mask.kind != "redact"):
        # The contract's floor: the policy may only make this field stricter, never clearer.
        mask = Mask(selected.generalised, "generalised by the contract")
    if mask is not None:  # a masked enum is not renamed: its stored value never leaves
        typed = sql_type(selected.kind)
        return exp.Cast(this=MASKS[mask.kind].build(raw, typed, pseudonym_key), to=typed)
    if selected.kind == "enum":
        return exp.Case(
            this=raw,
            ifs=[exp.If(this=exp.Literal.string(stored), true=exp.Literal.string(name))
                 for stored, name in selected.enum],
        )
    return exp.Cast(this=raw, to=sql_type(selected.kind))
