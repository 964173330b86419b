"""`citizen-gateway seed`: bad input and unreachable servers give one clear line, a non-zero
exit, no traceback and no hang; --out writes the tables without any server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.ddl import read_layout
from gateway.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["seed", *args])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--citizens", "0"), "--citizens must be from 1 to 5,000,000, not 0"),
        (("--citizens", "-3"), "--citizens must be from 1 to 5,000,000, not -3"),
        (("--citizens", "lots"), "--citizens must be a whole number, not 'lots'"),
        (("--citizens", "2.5"), "--citizens must be a whole number, not '2.5'"),
        (("--citizens", "10000000000"), "--citizens must be from 1 to 5,000,000"),
        (("--seed", "x"), "--seed must be a whole number"),
        (("--workers", "0"), "--workers must be from 1 to 16"),
        (("--postgres", "nowhere"), "not HOST:PORT: 'nowhere'"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    code, lines = run(capsys, *args)
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("seed: ") and expected in lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_postgresql_down(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    code, lines = run(capsys, "--postgres", f"127.0.0.1:{port}")
    assert code == 1
    assert lines == [
        f"seed: cannot connect to postgresql at 127.0.0.1:{port} (database registry): "
        "Connection refused"
    ]


def test_mariadb_down(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL databases are checked first: check only the MariaDB ones here
    port = _free_port()
    monkeypatch.setattr("council.seed.DATABASES", ("socialcare", "education"))
    code, lines = run(capsys, "--mariadb", f"127.0.0.1:{port}")
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(
        f"seed: cannot connect to mariadb at 127.0.0.1:{port} (database socialcare): "
    )
    assert "Connection refused" in lines[0]


@pytest.mark.parametrize("engine", ["postgres", "mariadb"])
def test_a_server_that_never_answers_times_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, silent_server: int,
    engine: str,
) -> None:
    first = ("registry",) if engine == "postgres" else ("socialcare",)
    monkeypatch.setattr("council.seed.DATABASES", first)
    started = time.monotonic()
    code, lines = run(capsys, f"--{engine}", f"127.0.0.1:{silent_server}")
    assert time.monotonic() - started < 20
    assert code == 1 and len(lines) == 1
    assert f"at 127.0.0.1:{silent_server}" in lines[0]
    assert "timeout" in lines[0] or "no answer" in lines[0]


def test_out_writes_every_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["seed", "--citizens", "300", "--seed", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    for dept in ("registry", "health", "housing", "socialcare", "education"):
        for table in read_layout(dept).tables:
            assert (tmp_path / f"{dept}.{table.short_name}.tsv").exists(), table.name
    citizens = (tmp_path / "registry.citizen.tsv").read_text().splitlines()
    assert len(citizens) == 300
    assert "rows for 300 citizens written to" in out
