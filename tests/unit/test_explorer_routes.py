"""`explorer_routes()`: the page carries a strict CSP, the hashed assets cache forever."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from gateway.http.explorer import ASSET_DIR, explorer_routes

APP = Starlette(routes=explorer_routes())


def get(path: str) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path)

    return asyncio.run(fetch())


def test_page_has_a_strict_content_security_policy() -> None:
    response = get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    directives = response.headers["content-security-policy"].split("; ")
    policy = dict(directive.split(" ", 1) for directive in directives)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["worker-src"] == "'self'"  # no blob: workers
    assert policy["connect-src"] == "'self'"


def test_hashed_assets_are_immutable() -> None:
    for path in ASSET_DIR.iterdir():
        if path.name == "index.html":
            continue
        response = get(f"/static/explorer/{path.name}")
        assert response.status_code == 200, path.name
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("name", ["index.html", "missing-ABCDEFGH.js", "../explorer.py"])
def test_anything_else_under_static_is_not_found(name: str) -> None:
    assert get(f"/static/explorer/{name}").status_code == 404
