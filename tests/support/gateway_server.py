"""A real gateway server for the integration tier: uvicorn on 127.0.0.1, real Trino behind it."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from gateway.http.auth import issue_token
from gateway.settings import Settings
from gateway.wiring import Gateway, build_gateway

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveGateway:
    url: str
    gateway: Gateway
    settings: Settings

    def token(self, user: str = "tester", roles: tuple[str, ...] = ("tester",),
              purpose: str = "testing", **attributes: str) -> str:
        return issue_token(self.settings, user, list(roles), purpose, attributes)

    def post(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
             user: str = "tester", roles: tuple[str, ...] = ("tester",), purpose: str = "testing",
             headers: dict[str, str] | None = None, **attributes: str) -> httpx.Response:
        bearer = token if token is not None else self.token(user, roles, purpose, **attributes)
        return httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables},
                          headers={"Authorization": f"Bearer {bearer}", **(headers or {})},
                          timeout=60)


def policy_dir(tmp: Path, policy_csv: Path | None) -> Path:
    """The council's Casbin model with the given policy file (default: the council's policy)."""
    target = tmp / "policies"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "policies" / "model.conf", target / "model.conf")
    shutil.copy(policy_csv or REPO / "policies" / "policy.csv", target / "policy.csv")
    return target


@contextmanager
def live_gateway(tmp: Path, policy_csv: Path | None = None, **overrides: Any) -> Iterator[LiveGateway]:
    port = free_port()
    settings = Settings(
        dev_mode=True, listen_port=port, audit_path=tmp / "audit.jsonl",
        policy_dir=policy_dir(tmp, policy_csv), **overrides,
    )
    gateway = build_gateway(settings)
    server = uvicorn.Server(uvicorn.Config(gateway.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start within 20 s")
        time.sleep(0.05)
    try:
        yield LiveGateway(f"http://127.0.0.1:{port}", gateway, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        gateway.close()
