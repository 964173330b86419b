"""What an operator sees when the gateway cannot start, and what a client gets when the audit log
cannot be written: one line and exit 2; a GraphQL-shaped 500, never Starlette's plain text."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from council.sqlite import write_sqlite
from gateway.http.auth import issue_token
from gateway.settings import Settings
from gateway.wiring import build_gateway

REPO = Path(__file__).resolve().parents[2]
ALL_CLEAR = REPO / "tests" / "support" / "policy_all_clear" / "policy.csv"


def _command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return subprocess.run([sys.executable, "-m", "gateway.cli.main", *args], cwd=REPO,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("env", "says"), [
    ({"GATEWAY_LISTEN_PORT": "eighty"}, "GATEWAY_LISTEN_PORT: Input should be a valid integer"),
    ({"GATEWAY_ENGINE": "oracle", "GATEWAY_DEV_MODE": "1"}, "GATEWAY_ENGINE must be trino or duckdb"),
    ({"GATEWAY_CONTRACT_PATH": "{bad}", "GATEWAY_DEV_MODE": "1"}, "no type Citizen"),
    ({"GATEWAY_ENGINE": "duckdb", "GATEWAY_DUCKDB_SQLITE_DIR": "{empty}",
      "GATEWAY_DEV_MODE": "1"}, "no SQLite file for department"),
])
def test_serve_that_cannot_start_says_why_in_one_line(tmp_path: Path, env: dict[str, str],
                                                      says: str) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text("type Query { x: Int }\n")
    (tmp_path / "empty").mkdir()
    env = {k: v.format(bad=bad, empty=tmp_path / "empty") for k, v in env.items()}
    done = _command("serve", **env)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1


def test_settings_prints_every_setting_and_no_secret() -> None:
    done = _command("settings", "--json", GATEWAY_PSEUDONYM_KEY="do-not-print-me",
                    GATEWAY_QUERY_TIMEOUT_SECONDS="7.5")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert set(shown) == {f"GATEWAY_{name.upper()}" for name in Settings.model_fields}
    assert shown["GATEWAY_PSEUDONYM_KEY"] == "(set)" and shown["GATEWAY_CURSOR_KEY"] == "(not set)"
    assert shown["GATEWAY_QUERY_TIMEOUT_SECONDS"] == "7.5"
    assert "do-not-print-me" not in done.stdout
    table = _command("settings")
    assert table.returncode == 0 and "Port the gateway listens on." in table.stdout


# ------------------------------------------------------------------ the audit log cannot be written


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("council")
    write_sqlite(50, 7, directory)
    return directory


def _ask(settings: Settings, query: str) -> httpx.Response:
    gateway = build_gateway(settings)
    token = issue_token(settings, "tester", ["tester"], "testing", {})

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=gateway.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return await client.post("/graphql", json={"query": query},
                                     headers={"Authorization": f"Bearer {token}"})

    try:
        return asyncio.run(post())
    finally:
        gateway.close()


@pytest.mark.parametrize("query", [
    '{ citizen(id: "1") { id } }',  # answered
    '{ citizen(id: "not-a-number") { id } }',  # refused (400) after authentication
])
def test_an_unwritable_audit_log_gives_a_graphql_500_and_no_data(
        council: Path, tmp_path: Path, query: str) -> None:
    (tmp_path / "policies").mkdir()
    for name in ("model.conf",):
        (tmp_path / "policies" / name).write_text((REPO / "policies" / name).read_text())
    (tmp_path / "policies" / "policy.csv").write_text(ALL_CLEAR.read_text())
    audit_dir = tmp_path / "audit-is-a-directory"
    audit_dir.mkdir()
    settings = Settings(dev_mode=True, engine="duckdb", duckdb_sqlite_dir=council,
                        duckdb_worker_process=False, audit_path=audit_dir,
                        policy_dir=tmp_path / "policies", access_log=False)
    response = _ask(settings, query)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/")
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INTERNAL"]


def test_a_token_whose_role_the_policy_does_not_know_is_refused_and_audited(
        council: Path, tmp_path: Path) -> None:
    settings = Settings(dev_mode=True, engine="duckdb", duckdb_sqlite_dir=council,
                        duckdb_worker_process=False, audit_path=tmp_path / "audit.jsonl",
                        access_log=False)
    gateway = build_gateway(settings)
    token = issue_token(settings, "mallory", ["no-such-role"], "direct_care", {})

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=gateway.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return await client.post("/graphql", json={"query": '{ citizen(id: "1") { id } }'},
                                     headers={"Authorization": f"Bearer {token}"})

    try:
        response = asyncio.run(post())
        records = list(gateway.audit.records())
    finally:
        gateway.close()
    assert response.status_code == 403
    assert [(r["user"], r["roles"], r["outcome"]) for r in records] == [
        ("mallory", ["no-such-role"], "refused:FORBIDDEN")]
    assert (tmp_path / "audit.jsonl").stat().st_mode & 0o777 == 0o600
