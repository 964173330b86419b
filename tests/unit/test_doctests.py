"""The examples in the docstrings of the vocabulary and compile modules run, and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "gateway.masks",
    "gateway.policy.rows",
    "gateway.compile.sql",
    "gateway.compile.predicates",
    "gateway.compile.values",
    "gateway.compile.bind",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
