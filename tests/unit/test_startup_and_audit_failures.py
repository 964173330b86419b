"""What an operator sees when the gateway cannot start, and what a client gets when the audit log
cannot be written: one line and exit 2; a GraphQL-shaped 500, never Starlette's plain text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gateway_server import ALL_CLEAR, in_process_gateway

from gateway.settings import Settings

REPO = Path(__file__).resolve().parents[2]


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


@pytest.mark.parametrize("query", [
    '{ citizen(id: "1") { id } }',  # answered
    '{ citizen(id: "not-a-number") { id } }',  # refused (400) after authentication
])
def test_an_unwritable_audit_log_gives_a_graphql_500_and_no_data(
        sqlite_council: Path, tmp_path: Path, query: str) -> None:
    audit_dir = tmp_path / "audit-is-a-directory"
    audit_dir.mkdir()
    with in_process_gateway(tmp_path, sqlite_council, ALL_CLEAR, audit_path=audit_dir,
                            duckdb_worker_process=False) as live:
        response = live.post(query)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/")
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INTERNAL"]


def test_a_token_whose_role_the_policy_does_not_know_is_refused_and_audited(
        sqlite_council: Path, tmp_path: Path) -> None:
    with in_process_gateway(tmp_path, sqlite_council, duckdb_worker_process=False) as live:
        response = live.post('{ citizen(id: "1") { id } }', user="mallory",
                             roles=("no-such-role",), purpose="direct_care")
        records = list(live.gateway.audit.records())
    assert response.status_code == 403
    assert [(r["user"], r["roles"], r["outcome"]) for r in records] == [
        ("mallory", ["no-such-role"], "refused:FORBIDDEN")]
    assert (tmp_path / "audit.jsonl").stat().st_mode & 0o777 == 0o600
