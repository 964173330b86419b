"""The servers under test, each its own process on 127.0.0.1: the gateway as shipped
(`citizen-gateway serve`, GATEWAY_DEV_MODE=1) and the naive server (`python -m bench.naive`).

Own processes so that their peak memory is theirs alone: read from /proc/PID/status (VmHWM, the
resident set's high-water mark since the process started).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from stack.settings import HOST, ROOT
from stack.settings import Settings as StackSettings

BENCH_POLICY = Path(__file__).resolve().parent / "policy_bench.csv"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def policy_dir(target: Path) -> Path:
    """The council's own model and policy, plus the benchmark's full-view role (policy_bench.csv)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "policies" / "model.conf", target / "model.conf")
    council = (ROOT / "policies" / "policy.csv").read_text()
    (target / "policy.csv").write_text(council.rstrip("\n") + "\n\n" + BENCH_POLICY.read_text())
    return target


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def memory_kib(self) -> dict[str, int]:
        """VmHWM (peak resident set) and VmRSS of the server process, in KiB."""
        values: dict[str, int] = {}
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    values[key] = int(rest.split()[0])
        except OSError:
            pass
        return values

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


def _start(name: str, command: list[str], env: dict[str, str], port: int, log_path: Path,
           timeout: float = 60) -> Server:
    log = log_path.open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return Server(name, url, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    log.close()
    raise RuntimeError(f"{name} did not answer /healthz within {timeout:.0f}s; see {log_path}")


def start_gateway(work: Path, stack: StackSettings, engine: str = "trino") -> Server:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "GATEWAY_DEV_MODE": "1",
        "GATEWAY_LISTEN_HOST": HOST,
        "GATEWAY_LISTEN_PORT": str(port),
        "GATEWAY_POLICY_DIR": str(policy_dir(work / f"policies-{engine}")),
        "GATEWAY_AUDIT_PATH": str(work / f"audit-{engine}.jsonl"),
        "GATEWAY_TRINO_HOST": HOST,
        "GATEWAY_TRINO_PORT": str(stack.trino_port),
        "GATEWAY_ENGINE": engine,
        # Bounds that would turn a slow measurement into an error, or throttle the client: a
        # benchmark measures the answer, so they are widened (and the report says so).
        "GATEWAY_QUERY_TIMEOUT_SECONDS": "300",
        "GATEWAY_REQUEST_TIMEOUT_SECONDS": "300",
        "GATEWAY_RATE_LIMIT_PER_SECOND": "0",
    })
    if engine == "duckdb":
        # the embedded engine attaches the same databases the connectors/ files name, with the
        # same ${ENV:...} values Trino is started with
        env.update(stack.connector_env())
    command = [str(Path(sys.executable).parent / "citizen-gateway"), "serve"]
    return _start(f"gateway ({engine})", command, env, port, work / f"gateway-{engine}.log")


def start_naive(work: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.naive", "--port", str(port)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return _start("naive", command, env, port, work / "naive.log")
