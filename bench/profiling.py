"""Where the gateway's CPU goes: py-spy sampling the running gateway process from outside.

`record` samples every thread of the server while it runs on a CPU (py-spy leaves out threads
the OS reports idle: blocked on a socket, on fsync, on the GIL) and the caller drives requests one
at a time; it writes the collapsed stacks (py-spy's raw format, one `frame;frame;... count` line
per stack). `summarise` attributes the samples to the parts of the request path, in CPU
milliseconds per request (samples ÷ rate ÷ requests). Waits are not in it: the round trips to
Trino are the `execute` stage, and the audit's fsync is measured on its own (audit_probe).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RATE = 100  # samples a second

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]+?)(?::\d+)?\)$")

# A stack whose innermost frame is a blocking call: py-spy's idle detection does not catch every
# one (a socket read, a timer's wait), so these are counted apart, never as CPU of a part.
_BLOCKED = re.compile(r"^(EpollSelector\.select|SocketIO\.readinto|HTTPConnection\.send|"
                      r"Condition\.wait|Event\.wait|sleep|socket\.\w+|Thread\.join) ")

# Parts of the request path, tried in this order against a stack's frames ("function (file)").
PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("audit record (hash chain + fsync per request)", re.compile(r"\(gateway/audit\.py")),
    ("engine: Trino client in Python (requests, urllib3, JSON decode)",
     re.compile(r"\(gateway/engine/trino\.py|\(trino/")),
    ("compile: sqlglot tree + render", re.compile(r"\(gateway/compile\.py|\(sqlglot/")),
    ("parse + validate (graphql-core)", re.compile(r"\(graphql/(language|validation)/")),
    ("plan (gateway/pipeline/plan.py, graphql-core field collection)",
     re.compile(r"\(gateway/plan\.py|\(graphql/execution/")),
    ("authorize (gateway/policy/authorize.py, policy, casbin)",
     re.compile(r"\(gateway/(authorize|policy)|\(casbin/")),
    ("shape (json.loads of engine rows, cursors)", re.compile(r"\(gateway/(shape|cursor)\.py")),
    ("token verification (gateway/http/auth.py, PyJWT)", re.compile(r"\(gateway/auth\.py|\(jwt/")),
    ("response: JSON encode (starlette JSONResponse)", re.compile(r"^JSONResponse\.render")),
    ("response: gzip (starlette GZipMiddleware)", re.compile(r"\(starlette/middleware/gzip|\(gzip")),
    ("request: read body, json.loads", re.compile(r"^_read_request|^_graphql_request")),
    ("thread hand-off (run_in_threadpool, anyio)",
     re.compile(r"\(anyio/|\(starlette/concurrency|call_soon_threadsafe")),
    ("HTTP server (uvicorn, h11, starlette routing)", re.compile(r"\(uvicorn/|\(h11/|\(starlette/")),
    ("event loop (asyncio)", re.compile(r"\(asyncio/")),
)


def available() -> bool:
    return shutil.which("py-spy") is not None or (Path(sys.executable).parent / "py-spy").exists()


def record(pid: int, seconds: int, output: Path) -> subprocess.Popen[bytes]:
    """Start sampling `pid` for `seconds` (every thread on a CPU; the process paused briefly at
    each sample, so that every stack is exact)."""
    executable = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen([executable, "record", "--pid", str(pid), "--duration", str(seconds),
                             "--rate", str(RATE), "--format", "raw", "--output", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@dataclass
class Summary:
    samples: int  # CPU samples
    idle: int  # samples in a blocking call that py-spy did not leave out
    parts: list[tuple[str, int]]  # (part, samples), largest first
    leaves: list[tuple[str, int]]  # (innermost function (file), samples), largest first

    def ms_per_request(self, samples: int, requests: int) -> float:
        return 1000 * samples / RATE / max(1, requests)


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match.group("file")
    for marker in ("site-packages/", "/work/main/", "/lib/python3.11/", "/lib/python3.12/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match.group('function')} ({path})"


def part_of(frames: list[str]) -> str:
    for name, pattern in PARTS:
        if any(pattern.search(frame) for frame in frames):
            return name
    return "other"


def summarise(raw: Path, top: int = 25) -> Summary:
    parts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    busy = idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        if _BLOCKED.search(frames[-1]):
            idle += count
            continue
        busy += count
        parts[part_of(frames)] += count
        leaves[frames[-1]] += count
    return Summary(busy, idle, parts.most_common(), leaves.most_common(top))
