"""Running the servers' own tools with a time limit, as the right OS user."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence

from stack.errors import StackError


def as_user(user: str, command: Sequence[str]) -> list[str]:
    """`command` run as OS user `user` (the servers refuse to run as root)."""
    if pwd.getpwuid(os.getuid()).pw_name == user:
        return list(command)
    return ["runuser", "-u", user, "--", *command]


def run(
    part: str,
    command: Sequence[str],
    *,
    timeout: float = 60,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> str:
    """Run `command`; return its stdout, or raise StackError naming `part` with the tool's error."""
    try:
        done = subprocess.run(
            list(command),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=None if env is None else dict(env),
            cwd=cwd,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StackError(part, f"{command[0]} did not finish within {timeout:.0f}s") from None
    except FileNotFoundError:
        raise StackError(part, f"{command[0]} not found (run scripts/provision.sh)") from None
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit status {done.returncode}"
        name = os.path.basename(command[0]) if command[0] != "runuser" else command[3]
        raise StackError(part, f"{os.path.basename(name)} failed: {detail}")
    return done.stdout


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(
    part: str, what: str, ready: Callable[[], bool], timeout: float, interval: float = 0.5
) -> None:
    """Poll `ready` until it is true; raise StackError naming `part` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if time.monotonic() > deadline:
            raise StackError(part, f"{what} not reached within {timeout:.0f}s")
        time.sleep(interval)
