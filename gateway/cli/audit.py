"""`citizen-gateway audit verify|citizen`: check the audit chain; who saw a citizen's data."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from gateway.audit import AuditLog
from gateway.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="verify the audit log; list a citizen's records")
    commands = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")

    verify = commands.add_parser("verify", help="check the hash chain; report the first bad line")
    verify.add_argument("--path", type=Path, help="audit log (default: GATEWAY_AUDIT_PATH)")
    verify.set_defaults(handler=_verify)

    citizen = commands.add_parser("citizen", help="every request that returned this citizen")
    citizen.add_argument("citizen_id", help="the council citizen id")
    citizen.add_argument("--path", type=Path, help="audit log (default: GATEWAY_AUDIT_PATH)")
    citizen.set_defaults(handler=_citizen)


def _log(args: argparse.Namespace) -> AuditLog:
    return AuditLog(Path(args.path) if args.path else load_settings().audit_path)


def _verify(args: argparse.Namespace) -> int:
    log = _log(args)
    result = log.verify()
    print(f"{log.path}: {result}")
    return 0 if result.ok else 1


def _citizen(args: argparse.Namespace) -> int:
    log = _log(args)
    result = log.verify()
    if not result.ok:
        print(f"warning: {log.path}: {result}")
    for record in log.records_for_citizen(args.citizen_id):
        print(json.dumps(record, sort_keys=True))
    return 0 if result.ok else 1
