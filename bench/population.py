"""The council the benchmark runs over: the local stack up, holding the asked number of citizens,
and the citizens each workload asks about (a seeded sample: the same run, the same citizens).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from stack import lifecycle
from stack.errors import StackError
from stack.settings import HOST, LOADER_USER, ROOT, Settings

Say = Callable[[str], None]
CLI = str(Path(sys.executable).parent / "citizen-gateway")


def _run(command: list[str], say: Say, timeout: float, env: dict[str, str] | None = None) -> None:
    say("$ " + " ".join(command))
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {completed.returncode}")
    say(f"  done in {time.monotonic() - started:.0f}s")


def citizen_count(settings: Settings) -> int:
    with psycopg.connect(host=HOST, port=settings.postgres_port, dbname="registry",
                         user=LOADER_USER, password=settings.loader_password,
                         connect_timeout=5) as connection:
        row = connection.execute("SELECT count(*) FROM registry.citizen").fetchone()
        return int(row[0]) if row else 0


def ensure(settings: Settings, citizens: int, seed: int, say: Say) -> int:
    """The stack up and the registry holding exactly `citizens`: reused if so, else reseeded."""
    try:
        lifecycle.ready(settings)
    except StackError as error:
        say(f"stack: not ready ({error}); bringing it up")
        _run([CLI, "stack", "up"], say, timeout=3600)
    found = citizen_count(settings)
    if found == citizens:
        say(f"stack: reusing the loaded council ({found:,} citizens)")
        return found
    say(f"stack: the registry holds {found:,} citizens, not {citizens:,}: reseeding "
        "(this replaces the data every test of this stack reads)")
    env = dict(os.environ)
    env["COUNCIL_LOADER_PASSWORD"] = settings.loader_password
    # the generator's own bound: ~0.02 s a citizen, at least 15 minutes (stack/seed.py)
    _run([CLI, "seed", "--citizens", str(citizens), "--seed", str(seed), "--reset",
          "--postgres", f"{HOST}:{settings.postgres_port}",
          "--mariadb", f"{HOST}:{settings.mariadb_port}"],
         say, timeout=max(900.0, citizens * 0.02), env=env)
    # grants for the readers again (the loader re-created the tables), Trino reconnected
    _run([CLI, "stack", "up"], say, timeout=3600)
    found = citizen_count(settings)
    if found != citizens:
        raise RuntimeError(f"after seeding the registry holds {found:,} citizens, not {citizens:,}")
    time.sleep(31)  # Trino's metadata cache (metadata.cache-ttl=30s) forgets the old tables
    return found


@dataclass(frozen=True)
class Sample:
    lookups: list[int]  # one citizen per 360° view request
    caseloads: list[list[int]]  # one caseload (citizen ids) per request
    warmup: list[int]  # citizens used only to warm every path up (never measured)
    wards: list[str | None]  # the council's wards (public reference data), None = no ward


def sample(settings: Settings, lookups: int, caseloads: int, caseload_size: int,
           seed: int) -> Sample:
    """Lookups: citizens drawn at random. Caseloads: citizens known to social care first (a
    caseworker's caseload), topped up with others when the council has too few."""
    rng = random.Random(seed)
    with psycopg.connect(host=HOST, port=settings.postgres_port, dbname="registry",
                         user=LOADER_USER, password=settings.loader_password,
                         connect_timeout=5) as connection:
        everyone = [row[0] for row in connection.execute(
            "SELECT citizen_id FROM registry.citizen ORDER BY citizen_id")]
        known = [row[0] for row in connection.execute(
            "SELECT citizen_id FROM registry.person_link WHERE department = 'socialcare' "
            "ORDER BY citizen_id")]
        wards = [row[0] for row in connection.execute(
            "SELECT DISTINCT ward FROM registry.citizen ORDER BY ward NULLS LAST")]
    drawn = rng.sample(everyone, min(len(everyone), lookups + 3))
    known_set = set(known)
    others = [c for c in everyone if c not in known_set]
    groups: list[list[int]] = []
    for _ in range(caseloads):
        take = rng.sample(known, min(len(known), caseload_size))
        if len(take) < caseload_size:
            take += rng.sample(others, min(len(others), caseload_size - len(take)))
        groups.append(sorted(take))
    return Sample(drawn[3:], groups, drawn[:3], wards)
