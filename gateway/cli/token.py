"""`citizen-gateway token`: a signed development token, only when GATEWAY_DEV_MODE=1."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gateway.http.auth import issue_token
from gateway.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "token", help="print a development bearer token (GATEWAY_DEV_MODE=1 only)",
        description="Print a bearer token signed with the development (or configured HS256) "
                    "secret. Refused unless GATEWAY_DEV_MODE=1.")
    parser.add_argument("--user", required=True, help="the user (sub claim)")
    parser.add_argument("--role", action="append", required=True, dest="roles",
                        help="a role; repeat for several")
    parser.add_argument("--purpose", required=True, help="the purpose of use")
    parser.add_argument("--team", help="the requester's team (for the own_team row rule)")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.dev_mode:
        print("citizen-gateway token: refused: development tokens need GATEWAY_DEV_MODE=1",
              file=sys.stderr)
        return 2
    if args.ttl <= 0:
        print("citizen-gateway token: --ttl must be positive", file=sys.stderr)
        return 2
    attributes = {"team": args.team} if args.team else {}
    print(issue_token(settings, args.user, list(args.roles), args.purpose, attributes, args.ttl))
    return 0
