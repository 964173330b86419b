"""`citizen-gateway serve`: run the gateway over HTTP (uvicorn), configured from the settings."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the GraphQL endpoint and the explorer",
        description="Serve POST/GET /graphql, the explorer at /, /healthz and /readyz. "
                    "Settings come from GATEWAY_* environment variables (see README).")
    parser.add_argument("--host", help="listen address (default: GATEWAY_LISTEN_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default: GATEWAY_LISTEN_PORT or 8000)")
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.errors import StartupError
    from gateway.settings import load_settings
    from gateway.wiring import build_gateway

    try:
        settings = load_settings()
        gateway = build_gateway(settings)
    except (StartupError, OSError) as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    uvicorn.run(gateway.app, host=args.host or settings.listen_host,
                port=args.port or settings.listen_port, log_level="info")
    return 0
