"""A gateway to test against: a real server for the integration tier (uvicorn on 127.0.0.1, real
Trino behind it), or the same app in process for the unit tier (the embedded engine on a SQLite
council, no server, no network). Tests talk to either through `http`, an httpx client."""

from __future__ import annotations

import asyncio
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
ALL_CLEAR = REPO / "tests" / "support" / "policy_all_clear" / "policy.csv"  # every field clear


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveGateway:
    url: str
    gateway: Gateway
    settings: Settings
    http: httpx.Client  # bound to `url`

    def token(self, user: str = "tester", roles: tuple[str, ...] = ("tester",),
              purpose: str = "testing", **attributes: str) -> str:
        return issue_token(self.settings, user, list(roles), purpose, attributes)

    def post(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
             user: str = "tester", roles: tuple[str, ...] = ("tester",), purpose: str = "testing",
             headers: dict[str, str] | None = None, **attributes: str) -> httpx.Response:
        bearer = token if token is not None else self.token(user, roles, purpose, **attributes)
        return self.http.post("/graphql", json={"query": query, "variables": variables},
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
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            yield LiveGateway(url, gateway, settings, http)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        gateway.close()


@contextmanager
def in_process_gateway(tmp: Path, council: Path, policy_csv: Path | None = None,
                       **overrides: Any) -> Iterator[LiveGateway]:
    """The app in process on the embedded engine over a SQLite council (`council.sqlite`):
    the whole HTTP and request path, with no server and no stack."""
    chosen: dict[str, Any] = {
        "dev_mode": True, "engine": "duckdb", "duckdb_sqlite_dir": council,
        "audit_path": tmp / "audit.jsonl", "policy_dir": policy_dir(tmp, policy_csv),
        "access_log": False, **overrides}
    settings = Settings(**chosen)
    gateway = build_gateway(settings)
    bridge = _InProcess(gateway.app)
    try:
        with httpx.Client(transport=bridge, base_url="http://gateway", timeout=60) as http:
            yield LiveGateway("http://gateway", gateway, settings, http)
    finally:
        gateway.close()


class _InProcess(httpx.BaseTransport):
    """A synchronous httpx transport into an ASGI app, on one event loop of its own (the app's
    loop-bound state lives as long as the client). A 500 is a response, as a client sees it."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            forwarded = httpx.Request(request.method, request.url, headers=request.headers,
                                      content=request.read())
            response = await self._asgi.handle_async_request(forwarded)
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            return httpx.Response(response.status_code, headers=response.headers, content=raw)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=120)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
