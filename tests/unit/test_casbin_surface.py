"""The parts of Casbin below its public API that gateway/policy/policy.py relies on.

Decision (docs/architecture.md, "Casbin"): the gateway asks Casbin's own matcher, compiled once,
for *every* rule that applies to a field (the strictest wins), which `enforce` cannot say: it
answers allow/deny with one explaining rule. That needs the compiled matcher
(`Enforcer._get_expression`), the function map and the role manager of `g`. casbin is pinned;
an upgrade that changes any of these fails here, by name, before any policy test does.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from pathlib import Path

import casbin
from casbin.util.builtin_operators import generate_g_function

REPO = Path(__file__).resolve().parents[2]


def test_the_pinned_version_is_the_one_installed() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'"casbin=={importlib.metadata.version("casbin")}"' in pyproject


def test_the_private_surface_is_there() -> None:
    enforcer = casbin.Enforcer(str(REPO / "policies" / "model.conf"))
    assert list(inspect.signature(casbin.Enforcer._get_expression).parameters) == [
        "expr", "functions"]
    functions = enforcer.fm.get_functions()
    assert isinstance(functions, dict)
    role_manager = enforcer.model["g"]["g"].rm
    functions["g"] = generate_g_function(role_manager)
    matcher = enforcer._get_expression(enforcer.model["m"]["m"].value, functions)
    assert callable(matcher.eval)
    assert enforcer.model["p"]["p"].tokens[:3] == ["p_role", "p_purpose", "p_object"]
