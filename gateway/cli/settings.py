"""`citizen-gateway settings`: every setting, its environment variable, the value in force and
what it does. Secret values are never printed, only whether they are set."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

SECRETS = frozenset({"jwt_secret", "pseudonym_key", "cursor_key"})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "settings", help="print the settings in force and what each one does",
        description="Print each GATEWAY_* setting with the value read from the environment (and "
                    ".env), or its default, and its description. Secrets show only whether set.")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.set_defaults(handler=show)


def rows() -> list[tuple[str, str, str]]:
    """(environment variable, value in force, description), in the Settings' order."""
    from gateway.settings import Settings, load_settings

    settings = load_settings()
    found = []
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        shown = ("(set)" if value else "(not set)") if name in SECRETS else _text(value)
        found.append((f"GATEWAY_{name.upper()}", shown, info.description or ""))
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(value)
    return "" if value is None else str(value)


def show(args: argparse.Namespace) -> int:
    from gateway.errors import ConfigError

    try:
        table = rows()
    except ConfigError as error:
        print(f"settings: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({name: value for name, value, _ in table}, indent=2))
        return 0
    width = max(len(name) for name, _, _ in table)
    for name, value, description in table:
        print(f"{name:<{width}}  {value}\n{'':<{width}}  {description}")
    return 0
