"""The house keeps its shape: each package imports only from the layers below it, and no two
modules import each other (directly or round a loop). Imports under `if TYPE_CHECKING:` are
annotations only and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GATEWAY = Path(__file__).resolve().parents[2] / "gateway"

# From the bottom: the shared vocabulary, then each layer importing only from those before it.
LAYERS: list[set[str]] = [
    {"ir", "errors", "settings", "requester", "metrics", "logs", "masks"},
    {"compile", "contract"},
    {"policy", "engine"},
    {"pipeline", "linkage"},
    {"audit", "http"},
    {"wiring"},
    {"cli", "__main__"},
]
LAYER = {part: index for index, parts in enumerate(LAYERS) for part in parts}


def _module(path: Path) -> str:
    parts = list(path.relative_to(GATEWAY.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                visit([child for child in getattr(node, field, []) if isinstance(child, ast.stmt)])

    visit(tree.body)
    return {name for name in found if name == "gateway" or name.startswith("gateway.")}


MODULES = {_module(path): path for path in GATEWAY.rglob("*.py") if "static" not in path.parts}
GRAPH = {name: {target for target in _imports(path) if target in MODULES and target != name}
         for name, path in MODULES.items()}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("module", sorted(name for name in MODULES if _top(name)))
def test_imports_only_go_down(module: str) -> None:
    mine = LAYER[_top(module)]
    upward = sorted(target for target in GRAPH[module]
                    if _top(target) and LAYER[_top(target)] > mine)
    assert not upward, f"{module} (layer {mine}) imports from above: {upward}"


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[name] = 2
        return None

    for name in sorted(MODULES):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, " → ".join(cycle)
