"""`citizen-gateway seed`: generate the synthetic council and bulk-load it.

  1. preflight: every department database answers, and holds no data unless --reset;
  2. the population (registry stream) is drawn once, in this process;
  3. departments are shared among worker processes (forked: they read the population in
     place); each streams its generator's blocks to one loader thread per table, and writes
     its person_link / link_truth lines to scratch files;
  4. the registry's link tables are loaded from those files, then indexed and analysed.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from council import connect
from council.batch import Batch
from council.ddl import read_layout
from council.departments import DEPARTMENTS, LINK_TABLES, LINKAGE_TABLES, Department, department
from council.errors import LoadFailed, NotEmpty, SeedError
from council.load import TableLoader
from council.population import Population, build_population
from council.settings import MARIADB_DEPARTMENTS, POSTGRES_DEPARTMENTS, Servers

MAX_CITIZENS = 5_000_000
DATABASES = POSTGRES_DEPARTMENTS + MARIADB_DEPARTMENTS


@dataclass(frozen=True)
class Plan:
    citizens: int
    seed: int
    reset: bool
    workers: int
    servers: Servers


@dataclass
class Report:
    rows: dict[str, int]  # "department.table" -> rows loaded
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- preflight ------------------------------------------------------------------------------


def preflight(servers: Servers, reset: bool) -> None:
    """Every database answers; no table holds data unless we may replace it."""
    occupied: list[str] = []
    for name in DATABASES:
        layout = read_layout(name)
        server = servers.of(name)
        if server.engine == "postgresql":
            conn = connect.postgresql(server, name)
            try:
                for statement in layout.schemas:
                    conn.execute(statement)
                conn.commit()
                for table in layout.tables:
                    exists = conn.execute("SELECT to_regclass(%s)", (table.name,)).fetchone()
                    if exists and exists[0] is not None and conn.execute(
                        f"SELECT EXISTS (SELECT 1 FROM {table.name})"
                    ).fetchone()[0]:
                        occupied.append(table.name)
                conn.commit()
            finally:
                conn.close()
        else:
            conn = connect.mariadb(server, name)
            try:
                with conn.cursor() as cur:
                    cur.execute(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                        (name,),
                    )
                    present = {row[0] for row in cur.fetchall()}
                    for table in layout.tables:
                        if table.name in present:
                            cur.execute(f"SELECT 1 FROM {table.name} LIMIT 1")
                            if cur.fetchone():
                                occupied.append(f"{name}.{table.name}")
            finally:
                conn.close()
    if occupied and not reset:
        shown = ", ".join(occupied[:4]) + (f" and {len(occupied) - 4} more" if len(occupied) > 4
                                           else "")
        raise NotEmpty(
            f"refusing to load into tables that hold data ({shown}); "
            "run with --reset to drop and recreate them"
        )


# --- one department -------------------------------------------------------------------------


@contextmanager
def _loading(loaders: Mapping[str, TableLoader], bar: Any) -> Iterator[None]:
    """Feed the loaders inside the block; on leaving, every table is finished (indexed,
    analysed) or, if anything failed, every load is aborted. The progress bar always closes."""
    try:
        yield
        for loader in loaders.values():
            loader.finish()
    except BaseException:
        for loader in loaders.values():
            loader.abort()
        raise
    finally:
        bar.close()


def load_department(
    dept: Department, population: Population, seed: int, servers: Servers, link_dir: Path,
    position: int = 0,
) -> dict[str, int]:
    layout = read_layout(dept.name)
    server = servers.of(dept.name)
    loaders = {
        table: TableLoader(server, dept.name, layout.table(table)).start() for table in dept.tables
    }
    bar = _bar(len(population), dept.name, position)
    started = time.monotonic()
    with _loading(loaders, bar):
        with (link_dir / f"person_link.{dept.name}").open("w", encoding="utf-8") as links, \
                (link_dir / f"link_truth.{dept.name}").open("w", encoding="utf-8") as truth:
            rows = 0
            for batch in dept.generate(population, seed):
                for table, lines in batch.rows.items():
                    loaders[table].put(lines)
                    rows += len(lines)
                links.writelines(batch.links)
                truth.writelines(batch.truth)
                bar.update(batch.citizens)
                bar.set_postfix_str(f"{rows:,} rows", refresh=False)
        bar.set_postfix_str(f"{rows:,} rows, indexing")
    tqdm.write(
        f"seed: {dept.name}: {rows:,} rows loaded, indexed and analysed in "
        f"{time.monotonic() - started:.1f}s", file=sys.stderr,
    )
    return {f"{dept.name}.{table}": loader.rows for table, loader in loaders.items()}


def load_links(servers: Servers, link_dir: Path, position: int = 0) -> dict[str, int]:
    layout = read_layout("registry")
    loaders = {
        table: TableLoader(servers.postgresql, "registry", layout.table(table)).start()
        for table in LINK_TABLES + LINKAGE_TABLES
    }
    files = sorted(link_dir.iterdir())
    bar = _bar(len(files), "links", position, unit=" files")
    started = time.monotonic()
    with _loading(loaders, bar):
        for path in files:
            table = path.name.split(".", 1)[0]
            with path.open(encoding="utf-8") as lines:
                while block := lines.readlines(8 << 20):
                    loaders[table].put(block)
            bar.update(1)
        bar.set_postfix_str("indexing")
    tqdm.write(
        f"seed: registry links: {sum(loader.rows for loader in loaders.values()):,} rows loaded, "
        f"indexed and analysed in {time.monotonic() - started:.1f}s", file=sys.stderr,
    )
    return {f"registry.{table}": loader.rows for table, loader in loaders.items()}


def _bar(total: int, name: str, position: int, unit: str = " citizens") -> Any:
    return tqdm(
        total=total, desc=f"{name:>10}", unit=unit, unit_scale=True, position=position,
        leave=False, file=sys.stderr, disable=None, dynamic_ncols=True, mininterval=0.5,
    )


# --- the whole seed -------------------------------------------------------------------------


def share_out(departments: tuple[Department, ...], workers: int) -> list[list[Department]]:
    """Departments per worker: the largest first, each to the least loaded worker."""
    shares: list[list[Department]] = [[] for _ in range(max(1, workers))]
    loads = [0.0] * len(shares)
    for dept in sorted(departments, key=lambda d: -d.rows_per_citizen):
        k = loads.index(min(loads))
        shares[k].append(dept)
        loads[k] += dept.rows_per_citizen
    return [share for share in shares if share]


_POPULATION: Population | None = None  # what forked workers read


def _worker(names: list[str], seed: int, servers: Servers, link_dir: Path, position: int,
            results: Any) -> None:
    assert _POPULATION is not None
    for name in names:
        started = time.monotonic()
        try:
            rows = load_department(department(name), _POPULATION, seed, servers, link_dir,
                                   position)
        except SeedError as error:
            results.put(("error", name, str(error)))
            return
        except KeyboardInterrupt:
            return
        except BaseException as error:  # unexpected: still one line, never a traceback
            results.put(("error", name, f"{type(error).__name__}: {error}"))
            return
        results.put(("done", name, rows, time.monotonic() - started))


def run(plan: Plan, say: Callable[[str], None]) -> Report:
    global _POPULATION
    started = time.monotonic()
    preflight(plan.servers, plan.reset)
    say(f"drawing {plan.citizens:,} citizens (seed {plan.seed})")
    _POPULATION = build_population(plan.citizens, plan.seed)
    say(f"population drawn in {time.monotonic() - started:.1f}s; generating and loading with "
        f"{plan.workers} worker process{'es' if plan.workers > 1 else ''}")
    rows: dict[str, int] = {}
    link_dir = Path(tempfile.mkdtemp(prefix="council-links-"))
    try:
        shares = share_out(DEPARTMENTS, plan.workers)
        if len(shares) == 1:
            for dept in shares[0]:
                rows.update(load_department(dept, _POPULATION, plan.seed, plan.servers,
                                            link_dir))
        else:
            rows.update(_run_workers(plan, shares, link_dir))
        rows.update(load_links(plan.servers, link_dir))
    finally:
        shutil.rmtree(link_dir, ignore_errors=True)
        _POPULATION = None
    return Report(rows, time.monotonic() - started)


def _run_workers(plan: Plan, shares: list[list[Department]], link_dir: Path) -> dict[str, int]:
    context = multiprocessing.get_context("fork")
    tqdm.set_lock(context.RLock())
    results = context.Queue()
    processes = [
        context.Process(
            target=_worker, name=f"seed worker {k}",
            args=([d.name for d in share], plan.seed, plan.servers, link_dir, k, results),
        )
        for k, share in enumerate(shares)
    ]
    pending = {d.name for share in shares for d in share}
    rows: dict[str, int] = {}
    try:
        for process in processes:
            process.start()
        while pending:
            try:
                message = results.get(timeout=1.0)
            except Exception:  # queue.Empty: check that the workers are still there
                if not any(p.is_alive() for p in processes):
                    try:
                        message = results.get(timeout=1.0)
                    except Exception:
                        raise LoadFailed(
                            "a worker process ended without finishing "
                            f"{', '.join(sorted(pending))}"
                        ) from None
                else:
                    continue
            if message[0] == "error":
                raise LoadFailed(f"{message[1]}: {message[2]}")
            _, name, counts, _seconds = message
            rows.update(counts)
            pending.discard(name)
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
    return rows


# --- without servers: TSV files -------------------------------------------------------------


def write_tsv(citizens: int, seed: int, out: Path) -> Report:
    """Every table as <department>.<table>.tsv in `out` (the COPY text format)."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    population = build_population(citizens, seed)
    rows: dict[str, int] = {}
    links = {table: (out / f"registry.{table}.tsv").open("w", encoding="utf-8")
             for table in LINK_TABLES}
    for table in LINKAGE_TABLES:  # the linker's, empty until it runs
        (out / f"registry.{table}.tsv").write_text("", encoding="utf-8")
    try:
        for dept in DEPARTMENTS:
            files = {t: (out / f"{dept.name}.{t}.tsv").open("w", encoding="utf-8")
                     for t in dept.tables}
            try:
                for batch in dept.generate(population, seed):
                    _write_batch(batch, files, links, rows, dept.name)
            finally:
                for f in files.values():
                    f.close()
    finally:
        for f in links.values():
            f.close()
    return Report(rows, time.monotonic() - started)


def _write_batch(batch: Batch, files: Mapping[str, TextIO], links: Mapping[str, TextIO],
                 rows: dict[str, int], name: str) -> None:
    for table, lines in batch.rows.items():
        files[table].writelines(lines)
        rows[f"{name}.{table}"] = rows.get(f"{name}.{table}", 0) + len(lines)
    links["person_link"].writelines(batch.links)
    links["link_truth"].writelines(batch.truth)
    rows["registry.person_link"] = rows.get("registry.person_link", 0) + len(batch.links)
    rows["registry.link_truth"] = rows.get("registry.link_truth", 0) + len(batch.truth)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))
