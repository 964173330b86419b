"""One Splink model per department: its records linked to the registry's citizens.

Fellegi-Sunter as Splink implements it: the prior from a deterministic rule (corrected by an
assumed recall), u probabilities by random sampling of pairs, m probabilities by expectation
maximisation on two blocks that leave different comparisons free, term frequencies on full
names (a shared rare name says more than a shared common one). Comparisons are only made on
elements both sides record; blocking rules split name blocks by either half of the date of
birth (FACTS.md: name blocks alone make most of the pairs at 1M) and add identifier, swapped-name
and date-and-postcode rules so that a record with one wrong field still meets its citizen.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from sqlglot import exp

from gateway.ir import Element

REGISTRY_DATASET = "registry"
IDENTIFIERS: tuple[Element, ...] = ("nhs_number", "ni_number", "upn")
# Pairs sampled for u (random pairs), and the records sampled for the prior's deterministic rule.
U_PAIRS = 2_000_000
SEED = 7

# Splink logs each phase, and each comparison level the training data never shows, on stderr;
# the run's own progress bar and report are what the operator reads.
logging.getLogger("splink").setLevel(logging.ERROR)


def _swapped_names() -> CustomRule:
    def side(table: str, name: str) -> exp.Column:
        return exp.column(name, table=table)

    rule = exp.and_(exp.EQ(this=side("l", "given_name"), expression=side("r", "family_name")),
                    exp.EQ(this=side("l", "family_name"), expression=side("r", "given_name")))
    return CustomRule(rule.sql("duckdb"), sql_dialect="duckdb")


def _side(name: str, side: str) -> exp.Column:
    return exp.column(f"{name}_{side}", quoted=True)


def _level(condition: exp.Expr, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(condition.sql("duckdb"), label_for_charts=label,
                           base_dialect_str="duckdb")


def _swapped_level() -> cll.CustomLevel:
    return _level(exp.and_(
        exp.EQ(this=_side("given_name", "l"), expression=_side("family_name", "r")),
        exp.EQ(this=_side("family_name", "l"), expression=_side("given_name", "r"))),
        "given and family name swapped")


def _given() -> cl.CustomComparison:
    """Given names: the exact name weighed by how common it is; then the same name the other way
    round, close spellings, and an initial only (J for John)."""
    initial = exp.EQ(this=exp.Substring(this=_side("given_name", "l"), start=exp.Literal.number(1),
                                        length=exp.Literal.number(1)),
                     expression=exp.Substring(this=_side("given_name", "r"),
                                              start=exp.Literal.number(1),
                                              length=exp.Literal.number(1)))
    one_is_initial = exp.or_(
        exp.EQ(this=exp.Length(this=_side("given_name", "l")), expression=exp.Literal.number(1)),
        exp.EQ(this=exp.Length(this=_side("given_name", "r")), expression=exp.Literal.number(1)))
    return cl.CustomComparison(comparison_levels=[
        cll.NullLevel("given_name"),
        cll.ExactMatchLevel("given_name", term_frequency_adjustments=True),
        _swapped_level(),
        cll.JaroWinklerLevel("given_name", 0.92),
        cll.JaroWinklerLevel("given_name", 0.8),
        _level(exp.and_(initial, one_is_initial), "an initial of the given name"),
        cll.ElseLevel(),
    ], output_column_name="given_name")


def _family() -> cl.CustomComparison:
    """Family names: exact (weighed by frequency), swapped, one half of a double-barrelled name,
    close spellings."""
    def half(whole: str, part: str) -> exp.Expr:
        return exp.or_(
            exp.Like(this=_side("family_name", whole),
                     expression=exp.DPipe(this=_side("family_name", part),
                                          expression=exp.Literal.string("-%"))),
            exp.Like(this=_side("family_name", whole),
                     expression=exp.DPipe(this=exp.Literal.string("%-"),
                                          expression=_side("family_name", part))))

    return cl.CustomComparison(comparison_levels=[
        cll.NullLevel("family_name"),
        cll.ExactMatchLevel("family_name", term_frequency_adjustments=True),
        _swapped_level(),
        _level(exp.or_(half("l", "r"), half("r", "l")), "one half of a double-barrelled name"),
        cll.JaroWinklerLevel("family_name", 0.92),
        cll.JaroWinklerLevel("family_name", 0.8),
        cll.ElseLevel(),
    ], output_column_name="family_name")


def _born() -> cl.CustomComparison:
    """Dates of birth: exact; day and month exchanged; one keystroke apart; 1 January on one side
    (a date nobody knew) in the same year; within a month; within a year."""
    left, right = _side("date_of_birth", "l"), _side("date_of_birth", "r")

    def part(unit: str, column: exp.Expr) -> exp.Expr:
        return exp.func("date_part", exp.Literal.string(unit), column)

    swapped = exp.and_(
        exp.EQ(this=part("year", left), expression=part("year", right)),
        exp.EQ(this=part("month", left), expression=part("day", right)),
        exp.EQ(this=part("day", left), expression=part("month", right)))

    def first_of_january(column: exp.Expr) -> exp.Expr:
        return exp.and_(exp.EQ(this=part("month", column), expression=exp.Literal.number(1)),
                        exp.EQ(this=part("day", column), expression=exp.Literal.number(1)))

    default = exp.and_(exp.EQ(this=part("year", left), expression=part("year", right)),
                       exp.or_(first_of_january(left), first_of_january(right)))
    as_text = exp.func("levenshtein", exp.Cast(this=left, to=exp.DataType.build("VARCHAR")),
                       exp.Cast(this=right, to=exp.DataType.build("VARCHAR")))
    return cl.CustomComparison(comparison_levels=[
        cll.NullLevel("date_of_birth"),
        cll.ExactMatchLevel("date_of_birth"),
        _level(swapped, "day and month exchanged"),
        _level(exp.LTE(this=as_text, expression=exp.Literal.number(1)), "one keystroke apart"),
        _level(default, "1 January on one side, same year"),
        cll.AbsoluteDateDifferenceLevel("date_of_birth", threshold=1, metric="month",
                                        input_is_string=False),
        cll.AbsoluteDateDifferenceLevel("date_of_birth", threshold=1, metric="year",
                                        input_is_string=False),
        cll.ElseLevel(),
    ], output_column_name="date_of_birth")


def settings(elements: Iterable[Element]) -> SettingsCreator:
    """The model for a department recording `elements` (the registry records the rest)."""
    common = set(elements)
    comparisons: list[Any] = [_given(), _family(), _born()]
    rules: list[Any] = [
        block_on("given_name", "family_name", "birth_year"),
        block_on("given_name", "family_name", "birth_month_day"),
        block_on("family_name", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        _swapped_names(),
    ]
    if "postcode" in common:
        comparisons.append(cl.PostcodeComparison("postcode"))
        rules.append(block_on("date_of_birth", "postcode"))
        rules.append(block_on("family_name", "postcode"))
    if "sex" in common:
        comparisons.append(cl.ExactMatch("sex"))
    for identifier in IDENTIFIERS:
        if identifier in common:  # one slip of a digit is still strong evidence
            comparisons.append(cl.DamerauLevenshteinAtThresholds(identifier, [1]))
            rules.append(block_on(identifier))
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
    )


@dataclass
class Model:
    """A trained model of one department and the linker that scores with it."""

    department: str
    version: str
    trained_at: datetime
    linker: Linker

    def as_json(self) -> str:
        return json.dumps(self.linker.misc.save_model_to_json(), sort_keys=True)


def train(db_api: DuckDBAPI, department: str, registry_table: str, department_table: str,
          elements: Iterable[Element]) -> Model:
    registry = db_api.register(registry_table, dataset_display_name=REGISTRY_DATASET)
    records = db_api.register(department_table, dataset_display_name=department)
    linker = Linker([registry, records], settings(elements), log_level=logging.ERROR)
    training = linker.training
    # Exact name and date of birth finds most true pairs and almost nothing else.
    training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.7)
    training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=SEED)
    # Names and postcode learnt where dates agree; dates where names and postcode agree.
    training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name"))
    # Swapped names are rare everywhere: learnt where date and postcode agree.
    if "postcode" in set(elements):
        training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth", "postcode"))
    trained_at = datetime.now(UTC).replace(microsecond=0)
    body = json.dumps(linker.misc.save_model_to_json(), sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()[:8]
    version = f"{department}-{trained_at:%Y%m%dT%H%M%SZ}-{digest}"
    return Model(department, version, trained_at, linker)


def predict(model: Model, threshold: float) -> str:
    """Scored candidate pairs at or above `threshold`: the name of their table."""
    return model.linker.inference.predict(threshold_match_probability=threshold).physical_name
