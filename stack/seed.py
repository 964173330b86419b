"""Loading the synthetic council into empty databases, then the statistics Trino plans with."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Callable
from types import ModuleType

from stack import mariadb, postgres
from stack.errors import StackError
from stack.process import run
from stack.settings import DEPARTMENTS, Settings

PART = "seed"


def _engine(name: str) -> ModuleType:
    return postgres if name == "postgres" else mariadb


def empty_departments(settings: Settings) -> list[str]:
    """Departments whose probe table is missing or has no rows."""
    return [d.name for d in DEPARTMENTS if not _engine(d.engine).has_rows(settings, d)]


def generator_available() -> bool:
    try:
        return importlib.util.find_spec("council.cli") is not None
    except ModuleNotFoundError:
        return False


def seed(settings: Settings) -> None:
    """`citizen-gateway seed --citizens N --seed S` with the loader account's password."""
    env = dict(os.environ)
    env["COUNCIL_LOADER_PASSWORD"] = settings.loader_password
    env["CITIZEN_STACK_DIR"] = str(settings.stack_dir)
    env.update(settings.connector_env())
    run(
        PART,
        [
            sys.executable, "-m", "gateway.cli", "seed",
            "--citizens", str(settings.citizens), "--seed", str(settings.seed),
        ],
        env=env,
        timeout=max(900.0, settings.citizens * 0.02),
    )


def analyze(settings: Settings) -> None:
    postgres.analyze(settings)
    mariadb.analyze(settings)
    (settings.stack_dir / "analyzed").write_text(f"{time.time():.0f}\n")


def ensure_seeded(settings: Settings, say: Callable[[str], None] = print) -> None:
    """Seed when any department is empty; analyze after seeding (or if never analyzed)."""
    empty = empty_departments(settings)
    seeded = False
    if empty:
        if not generator_available():
            say(f"seed: {', '.join(empty)} empty and council.cli not installed; left empty")
        else:
            started = time.monotonic()
            say(f"seed: loading {settings.citizens} citizens (seed {settings.seed}) ...")
            seed(settings)
            seeded = True
            still_empty = empty_departments(settings)
            if still_empty:
                raise StackError(PART, f"seed finished but {', '.join(still_empty)} still empty")
            say(f"seed: done in {time.monotonic() - started:.1f}s")
    # the loader may have re-created schemas: grant the readers again
    postgres.provision(settings)
    mariadb.provision(settings)
    if seeded or (not empty and not (settings.stack_dir / "analyzed").exists()):
        analyze(settings)
