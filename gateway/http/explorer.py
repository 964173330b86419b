"""The explorer page: GraphiQL with the Explorer plugin, served from the gateway's own origin.

`web/` builds the page into `static/explorer/` (committed: no npm or network needed at run time).
The page asks for the bearer token before it sends anything to `/graphql`, then fetches the
schema with it; the gateway's 401/403 message is shown if it refuses the token.
The page is `/`; its content-hashed assets are `/static/explorer/<name>-<HASH>.<ext>`, cacheable
forever. Compression is the application's job: wrap the app in Starlette's `GZipMiddleware`
(the page bundle is ~5.3 MB raw, ~1.4 MB gzipped).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSET_DIR: Final = Path(__file__).parent.parent / "static" / "explorer"

# esbuild's `[name]-[hash]`: the hash is 8 characters of base32.
HASHED_ASSET: Final = re.compile(r"[\w.-]+-[A-Z2-7]{8}\.(?:js|css)")

# Scripts and Monaco's workers come from this origin only: no inline script, no eval, no blob:
# worker. Styles need 'unsafe-inline' because Monaco writes its theme into <style> elements it
# creates at run time (no nonce support). Fonts and the favicon are data: URLs.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "worker-src 'self'",
        "connect-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src data:",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",  # the token form must never submit (the token would go in a URL)
        "frame-ancestors 'none'",
    )
)

PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

ASSET_HEADERS: Final = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


class HashedAssets(StaticFiles):
    """Serves only the build's content-hashed files, each marked immutable."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not HASHED_ASSET.fullmatch(path):
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        response.headers.update(ASSET_HEADERS)
        return response


def explorer_routes() -> list[BaseRoute]:
    """The page at `/` and its assets; fails at start-up if the build output is missing."""
    page = (ASSET_DIR / "index.html").read_bytes()

    async def explorer_page(request: Request) -> Response:
        return Response(page, media_type="text/html", headers=PAGE_HEADERS)

    return [
        Route("/", explorer_page, methods=["GET"], name="explorer"),
        Mount("/static/explorer", app=HashedAssets(directory=ASSET_DIR), name="explorer_assets"),
    ]
